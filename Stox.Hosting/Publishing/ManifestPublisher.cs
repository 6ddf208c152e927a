using System.Text.Encodings.Web;
using System.Text.Json;

namespace Stox.Hosting.Publishing;

/// <summary>
/// Writes the Aspire deployment manifest azd deploys from (schema aspire-8.0), in the shapes Aspire 9.5
/// writes: container.v0 for the servers, value.v0 for the databases, project.v0 for the services and
/// parameter.v0 for the secrets. Never executable.v0: azd rejects it.
/// </summary>
public sealed class ManifestPublisher : IPublisher
{
    public const string SchemaUrl = "https://json.schemastore.org/aspire-8.0.json";

    public string Name => "manifest";

    public string Description => "the Aspire manifest azd deploys from (--output-path: the JSON file)";

    public async Task<IReadOnlyList<string>> PublishAsync(PublishingModel model, PublishingContext context, CancellationToken cancellationToken)
    {
        var path = context.OutputPath;
        if (Directory.Exists(path) || path.EndsWith(Path.DirectorySeparatorChar))
        {
            path = Path.Combine(path, "aspire-manifest.json");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var stream = File.Create(path))
        {
            await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            Write(model, writer, Path.GetDirectoryName(path)!);
            await writer.FlushAsync(cancellationToken);
        }

        return [path];
    }

    /// <summary>Writes the manifest; project paths are relative to <paramref name="manifestDirectory"/>.</summary>
    public static void Write(PublishingModel model, Utf8JsonWriter writer, string manifestDirectory)
    {
        writer.WriteStartObject();
        writer.WriteString("$schema", SchemaUrl);
        writer.WriteStartObject("resources");
        foreach (var resource in model.Resources)
        {
            writer.WriteStartObject(resource.Name);
            switch (resource)
            {
                case ServerSpec server:
                    WriteServer(server, writer);
                    break;
                case DatabaseSpec database:
                    writer.WriteString("type", "value.v0");
                    writer.WriteString("connectionString", database.ConnectionString);
                    break;
                case ProjectSpec project:
                    WriteProject(model, project, writer, manifestDirectory);
                    break;
            }

            writer.WriteEndObject();
        }

        // Aspire writes the parameters its integrations create after the resources that use them.
        foreach (var parameter in model.Parameters)
        {
            writer.WriteStartObject(parameter.Name);
            WriteParameter(parameter, writer);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>
    /// The endpoints of a service in the manifest: its own, plus the https endpoint Aspire gives every web
    /// project in publish mode (the platform's ingress terminates TLS and forwards to the same port).
    /// </summary>
    public static IReadOnlyList<EndpointSpec> EndpointsOf(ProjectSpec project)
    {
        var endpoints = project.Endpoints.ToList();
        if (endpoints.FirstOrDefault(e => e.Scheme == "http") is { } http && endpoints.All(e => e.Scheme != "https"))
        {
            endpoints.Insert(endpoints.IndexOf(http) + 1, http with { Name = "https", Scheme = "https", HostPort = null });
        }

        return endpoints;
    }

    private static void WriteServer(ServerSpec server, Utf8JsonWriter writer)
    {
        writer.WriteString("type", "container.v0");
        writer.WriteString("connectionString", server.ConnectionString);
        writer.WriteString("image", server.Image);
        if (server.Entrypoint is not null)
        {
            writer.WriteString("entrypoint", server.Entrypoint);
        }

        if (server.Args.Count > 0)
        {
            writer.WriteStartArray("args");
            foreach (var arg in server.Args)
            {
                writer.WriteStringValue(arg);
            }

            writer.WriteEndArray();
        }

        WriteEnvironment(server.Environment, writer);
        WriteBindings(server.Endpoints, writer);
    }

    private static void WriteProject(PublishingModel model, ProjectSpec project, Utf8JsonWriter writer, string manifestDirectory)
    {
        writer.WriteString("type", "project.v0");
        writer.WriteString("path", Path.GetRelativePath(manifestDirectory, project.ProjectPath).Replace('\\', '/'));
        WriteEnvironment(project.Environment(name => EndpointsOf((ProjectSpec)model.Get(name))), writer);
        WriteBindings(EndpointsOf(project), writer);
    }

    private static void WriteParameter(ParameterSpec parameter, Utf8JsonWriter writer)
    {
        writer.WriteString("type", "parameter.v0");
        writer.WriteString("value", $"{{{parameter.Name}.inputs.value}}");
        writer.WriteStartObject("inputs");
        writer.WriteStartObject("value");
        writer.WriteString("type", "string");
        if (parameter.Secret)
        {
            writer.WriteBoolean("secret", true);
        }

        if (parameter.Generated)
        {
            writer.WriteStartObject("default");
            writer.WriteStartObject("generate");
            writer.WriteNumber("minLength", ParameterSpec.GeneratedMinLength);

            // Letters and digits only, like run mode's values: the connection strings do not quote them.
            // (Aspire writes this for Redis and RabbitMQ; for Postgres it allows special characters.)
            writer.WriteBoolean("special", false);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        else if (!parameter.Secret && parameter.ConfiguredValue is not null)
        {
            // A configured secret is never written out: azd asks for it.
            writer.WriteStartObject("default");
            writer.WriteString("value", parameter.ConfiguredValue);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteEnvironment(IReadOnlyList<KeyValuePair<string, string>> environment, Utf8JsonWriter writer)
    {
        if (environment.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("env");
        foreach (var (name, value) in environment)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteBindings(IReadOnlyList<EndpointSpec> endpoints, Utf8JsonWriter writer)
    {
        if (endpoints.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("bindings");
        foreach (var endpoint in endpoints)
        {
            writer.WriteStartObject(endpoint.Name);
            writer.WriteString("scheme", endpoint.Scheme);
            writer.WriteString("protocol", "tcp");
            writer.WriteString("transport", endpoint.Transport);
            writer.WriteNumber("targetPort", endpoint.TargetPort);
            if (endpoint.IsExternal)
            {
                writer.WriteBoolean("external", true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
