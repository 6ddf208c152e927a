namespace Stox.Hosting;
