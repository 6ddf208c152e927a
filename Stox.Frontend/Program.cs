var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.MapGet("/", () => TypedResults.Text("Stox is starting up: the web app arrives with the frontend feature.", "text/plain"));
app.MapDefaultEndpoints();

app.Run();
