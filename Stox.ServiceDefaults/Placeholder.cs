namespace Stox.ServiceDefaults;
