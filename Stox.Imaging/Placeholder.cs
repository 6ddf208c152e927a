namespace Stox.Imaging;
