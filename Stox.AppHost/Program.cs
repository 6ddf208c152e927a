Console.WriteLine("Stox.AppHost");
