// Benchmarks are run as `dotnet run -c Release --project Stox.Benchmarks -- <suite>`; each suite lives in its own folder.
Console.Error.WriteLine("usage: dotnet run -c Release --project Stox.Benchmarks -- <suite> [options]");
return 2;
