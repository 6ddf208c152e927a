using YamlDotNet.RepresentationModel;

namespace Stox.Hosting.Publishing;

/// <summary>
/// Writes plain Kubernetes manifests (and a kustomization.yaml listing them): a Secret with the parameters,
/// a Secret with every connection string the services use, a StatefulSet and Service per server, a Job
/// that creates the S3 bucket, and a Deployment and Service per service with its replicas and probes on
/// <c>/health</c> (readiness) and <c>/alive</c> (liveness). To use managed Postgres, Redis, RabbitMQ or S3
/// instead, leave out a server's file and put the managed connection string in the connection-strings Secret.
/// </summary>
public sealed class KubernetesPublisher : IPublisher
{
    public const string ParametersSecret = "stox-parameters";
    public const string ConnectionStringsSecret = "stox-connection-strings";
    public const string SecretsFileName = "secrets.yaml";

    private const string PartOf = "stox";

    public string Name => "kubernetes";

    public string Description => "plain Kubernetes manifests and a kustomization.yaml (--output-path: a folder)";

    public async Task<IReadOnlyList<string>> PublishAsync(PublishingModel model, PublishingContext context, CancellationToken cancellationToken)
    {
        var folder = context.OutputPath;
        Directory.CreateDirectory(folder);
        var secretsPath = Path.Combine(folder, SecretsFileName);
        var values = ParameterValues.Resolve(model, File.Exists(secretsPath) ? ReadParameterSecret(secretsPath) : new Dictionary<string, string>());

        var files = new List<(string Name, IEnumerable<object> Documents)>
        {
            (SecretsFileName, [ParameterSecret(model, values), ConnectionStringSecret(model, values)]),
        };
        foreach (var server in model.Servers)
        {
            files.Add(($"{server.Name}.yaml", ServerDocuments(model, server)));
        }

        foreach (var project in model.Projects)
        {
            files.Add(($"{project.Name}.yaml", ProjectDocuments(model, project, context)));
        }

        var written = new List<string>();
        foreach (var (name, documents) in files)
        {
            var path = Path.Combine(folder, name);
            var content = Yaml.SerializeAll(documents);
            if (name == SecretsFileName)
            {
                await ParameterValues.WriteSecretFileAsync(path, content, cancellationToken);
            }
            else
            {
                await File.WriteAllTextAsync(path, content, cancellationToken);
            }

            written.Add(path);
        }

        var kustomization = Yaml.Map();
        kustomization["apiVersion"] = "kustomize.config.k8s.io/v1beta1";
        kustomization["kind"] = "Kustomization";
        kustomization["resources"] = files.Select(f => f.Name).ToList();
        var kustomizationPath = Path.Combine(folder, "kustomization.yaml");
        await File.WriteAllTextAsync(kustomizationPath, Yaml.Serialize(kustomization), cancellationToken);
        written.Add(kustomizationPath);
        return written;
    }

    private static Dictionary<string, object> ParameterSecret(PublishingModel model, Dictionary<string, string> values) =>
        Secret(ParametersSecret, model.Parameters.ToDictionary(p => p.Name, p => values[p.Name]));

    /// <summary>One key per server or database a service references, holding the full connection string.</summary>
    private static Dictionary<string, object> ConnectionStringSecret(PublishingModel model, Dictionary<string, string> values)
    {
        var referenced = model.Projects
            .SelectMany(p => p.References)
            .Where(r => r.Kind == ReferenceKind.ConnectionString)
            .Select(r => r.Name)
            .Distinct()
            .ToList();
        return Secret(ConnectionStringsSecret, referenced.ToDictionary(name => name, name => Resolve(model, model.ConnectionStringOf(name), values)));
    }

    private static Dictionary<string, object> Secret(string name, Dictionary<string, string> data)
    {
        var secret = Document("v1", "Secret", name, name);
        secret["type"] = "Opaque";
        secret["stringData"] = data;
        return secret;
    }

    private static IEnumerable<object> ServerDocuments(PublishingModel model, ServerSpec server)
    {
        var databases = model.Databases.Where(d => d.Server == server.Name).ToList();
        var initConfigMap = $"{server.Name}-init";
        if (databases.Count > 0)
        {
            var configMap = Document("v1", "ConfigMap", initConfigMap, server.Name);
            configMap["data"] = new Dictionary<string, string> { ["10-databases.sql"] = PostgresInit.CreateDatabasesSql(databases) };
            yield return configMap;
        }

        yield return Service(server.Name, server.Endpoints.Select(e => (e.Name, e.TargetPort, e.TargetPort)), external: false);

        var container = Yaml.Map();
        container["name"] = server.Name;
        container["image"] = server.Image;
        if (server.Entrypoint is not null)
        {
            container["command"] = new List<string> { server.Entrypoint };
        }

        if (server.Args.Count > 0)
        {
            container["args"] = server.Args.ToList();
        }

        var environment = server.Environment.Select(kv => ServerEnvironment(model, server, kv.Key, kv.Value)).ToList();
        if (databases.Count > 0)
        {
            // A fresh volume has lost+found at its root, which initdb refuses: keep the cluster in a subfolder.
            environment.Add(Variable("PGDATA", $"{server.DataPath}/pgdata"));
        }

        container["env"] = environment;
        container["ports"] = server.Endpoints.Select(e => new Dictionary<string, object> { ["name"] = PortName(e.Name), ["containerPort"] = e.TargetPort }).ToList();
        container["readinessProbe"] = new Dictionary<string, object>
        {
            ["exec"] = new Dictionary<string, object> { ["command"] = new List<string> { "/bin/sh", "-c", server.HealthCommand } },
            ["periodSeconds"] = 5,
            ["timeoutSeconds"] = 5,
        };
        container["livenessProbe"] = new Dictionary<string, object>
        {
            ["tcpSocket"] = new Dictionary<string, object> { ["port"] = server.PrimaryEndpoint.TargetPort },
            ["initialDelaySeconds"] = 30,
            ["periodSeconds"] = 10,
        };
        var mounts = new List<object> { new Dictionary<string, object> { ["name"] = "data", ["mountPath"] = server.DataPath } };
        var volumes = new List<object>();
        if (databases.Count > 0)
        {
            mounts.Add(new Dictionary<string, object> { ["name"] = "init", ["mountPath"] = "/docker-entrypoint-initdb.d", ["readOnly"] = true });
            volumes.Add(new Dictionary<string, object> { ["name"] = "init", ["configMap"] = new Dictionary<string, object> { ["name"] = initConfigMap } });
        }

        container["volumeMounts"] = mounts;

        var podSpec = Yaml.Map();
        podSpec["containers"] = new List<object> { container };
        if (volumes.Count > 0)
        {
            podSpec["volumes"] = volumes;
        }

        var statefulSet = Document("apps/v1", "StatefulSet", server.Name, server.Name);
        var spec = Yaml.Map();
        spec["serviceName"] = server.Name;
        spec["replicas"] = 1;
        spec["selector"] = new Dictionary<string, object> { ["matchLabels"] = Selector(server.Name) };
        spec["template"] = new Dictionary<string, object>
        {
            ["metadata"] = new Dictionary<string, object> { ["labels"] = Labels(server.Name) },
            ["spec"] = podSpec,
        };
        spec["volumeClaimTemplates"] = new List<object>
        {
            new Dictionary<string, object>
            {
                ["metadata"] = new Dictionary<string, object> { ["name"] = "data" },
                ["spec"] = new Dictionary<string, object>
                {
                    ["accessModes"] = new List<string> { "ReadWriteOnce" },
                    ["resources"] = new Dictionary<string, object> { ["requests"] = new Dictionary<string, object> { ["storage"] = "5Gi" } },
                },
            },
        };
        statefulSet["spec"] = spec;
        yield return statefulSet;

        if (server.Bucket is { } bucket)
        {
            yield return BucketJob(server, bucket);
        }
    }

    /// <summary>A server's variable: a parameter comes from the parameters Secret, anything else is written out.</summary>
    private static Dictionary<string, object> ServerEnvironment(PublishingModel model, ServerSpec server, string name, string expression)
    {
        if (ManifestExpression.AsParameter(expression) is { } parameter)
        {
            return SecretVariable(name, ParametersSecret, model.GetParameter(parameter).Name);
        }

        if (ManifestExpression.Parse(expression).Any(p => p is ParameterPart or ConnectionStringPart))
        {
            throw new DistributedApplicationException($"'{server.Name}' variable {name} mixes a secret into a longer value; Kubernetes cannot express that without a Secret of its own.");
        }

        return Variable(name, Resolve(model, expression, values: null));
    }

    private static Dictionary<string, object> BucketJob(ServerSpec server, BucketSpec bucket)
    {
        var url = $"{server.PrimaryEndpoint.Scheme}://{server.Name}:{server.PrimaryEndpoint.TargetPort}";
        var container = Yaml.Map();
        container["name"] = "create-bucket";
        container["image"] = server.Image;
        container["command"] = new List<string> { "/bin/sh", "-c", ComposePublisher.BucketInitScript(url, bucket.Name) };
        container["env"] = new List<object>
        {
            SecretVariable("S3_ACCESS_KEY", ParametersSecret, bucket.AccessKeyParameter),
            SecretVariable("S3_SECRET_KEY", ParametersSecret, bucket.SecretKeyParameter),
        };
        var job = Document("batch/v1", "Job", $"{server.Name}-init", server.Name);
        job["spec"] = new Dictionary<string, object>
        {
            ["backoffLimit"] = 10,
            ["template"] = new Dictionary<string, object>
            {
                ["metadata"] = new Dictionary<string, object> { ["labels"] = Labels($"{server.Name}-init") },
                ["spec"] = new Dictionary<string, object>
                {
                    ["restartPolicy"] = "OnFailure",
                    ["containers"] = new List<object> { container },
                },
            },
        };
        return job;
    }

    private static IEnumerable<object> ProjectDocuments(PublishingModel model, ProjectSpec project, PublishingContext context)
    {
        var http = project.HttpEndpoint;
        // An external service is published on port 80 by a load balancer; inside the cluster every service answers on its own port.
        yield return Service(project.Name, [(http.Name, project.IsExternal ? 80 : http.TargetPort, http.TargetPort)], project.IsExternal);

        var environment = new List<object>();
        foreach (var (name, expression) in project.Environment(other => [((ProjectSpec)model.Get(other)).HttpEndpoint]))
        {
            if (ManifestExpression.Parse(expression) is [ConnectionStringPart connectionString])
            {
                environment.Add(SecretVariable(name, ConnectionStringsSecret, connectionString.Resource));
            }
            else if (ManifestExpression.Parse(expression).Any(p => p is ParameterPart or ConnectionStringPart))
            {
                throw new DistributedApplicationException($"'{project.Name}' variable {name} holds a secret inside a longer value; give it a connection string instead.");
            }
            else
            {
                environment.Add(Variable(name, Resolve(model, expression, values: null)));
            }
        }

        environment.Add(Variable("OTEL_SERVICE_NAME", project.Name));

        var container = Yaml.Map();
        container["name"] = project.Name;
        container["image"] = context.ImageOf(project);
        container["env"] = environment;
        container["ports"] = new List<object> { new Dictionary<string, object> { ["name"] = PortName(http.Name), ["containerPort"] = http.TargetPort } };
        container["startupProbe"] = HttpProbe("/alive", http.TargetPort, periodSeconds: 2, failureThreshold: 60);
        container["readinessProbe"] = HttpProbe("/health", http.TargetPort, periodSeconds: 10, failureThreshold: 3);
        container["livenessProbe"] = HttpProbe("/alive", http.TargetPort, periodSeconds: 10, failureThreshold: 3);

        var deployment = Document("apps/v1", "Deployment", project.Name, project.Name);
        deployment["spec"] = new Dictionary<string, object>
        {
            ["replicas"] = project.Replicas,
            ["selector"] = new Dictionary<string, object> { ["matchLabels"] = Selector(project.Name) },
            ["template"] = new Dictionary<string, object>
            {
                ["metadata"] = new Dictionary<string, object> { ["labels"] = Labels(project.Name) },
                ["spec"] = new Dictionary<string, object> { ["containers"] = new List<object> { container } },
            },
        };
        yield return deployment;
    }

    private static Dictionary<string, object> HttpProbe(string path, int port, int periodSeconds, int failureThreshold) => new()
    {
        ["httpGet"] = new Dictionary<string, object> { ["path"] = path, ["port"] = port },
        ["periodSeconds"] = periodSeconds,
        ["timeoutSeconds"] = 5,
        ["failureThreshold"] = failureThreshold,
    };

    private static Dictionary<string, object> Service(string name, IEnumerable<(string Name, int Port, int TargetPort)> ports, bool external)
    {
        var service = Document("v1", "Service", name, name);
        var spec = Yaml.Map();
        spec["type"] = external ? "LoadBalancer" : "ClusterIP";
        spec["selector"] = Selector(name);
        spec["ports"] = ports.Select(p => new Dictionary<string, object>
        {
            ["name"] = PortName(p.Name),
            ["port"] = p.Port,
            ["targetPort"] = p.TargetPort,
            ["protocol"] = "TCP",
        }).ToList();
        service["spec"] = spec;
        return service;
    }

    /// <summary>
    /// An expression inside the cluster: a resource is reached by its Service's DNS name on its port. With
    /// <paramref name="values"/> parameters are written out (for the Secret); without, they are refused.
    /// </summary>
    private static string Resolve(PublishingModel model, string expression, Dictionary<string, string>? values) =>
        NetworkExpressions.Resolve(
            model,
            expression,
            parameter => values?[parameter.Name] ?? throw new DistributedApplicationException($"Parameter '{parameter.Name}' must come from a Secret."));

    private static Dictionary<string, object> Variable(string name, string value) => new() { ["name"] = name, ["value"] = value };

    private static Dictionary<string, object> SecretVariable(string name, string secret, string key) => new()
    {
        ["name"] = name,
        ["valueFrom"] = new Dictionary<string, object>
        {
            ["secretKeyRef"] = new Dictionary<string, object> { ["name"] = secret, ["key"] = key },
        },
    };

    private static Dictionary<string, object> Document(string apiVersion, string kind, string name, string component)
    {
        var document = Yaml.Map();
        document["apiVersion"] = apiVersion;
        document["kind"] = kind;
        document["metadata"] = new Dictionary<string, object> { ["name"] = name, ["labels"] = Labels(component) };
        return document;
    }

    private static Dictionary<string, string> Labels(string name) => new()
    {
        ["app.kubernetes.io/name"] = name,
        ["app.kubernetes.io/part-of"] = PartOf,
    };

    private static Dictionary<string, string> Selector(string name) => new() { ["app.kubernetes.io/name"] = name };

    // Port names are at most 15 characters: lowercase letters, digits and hyphens.
    private static string PortName(string endpoint) => endpoint.Length <= 15 ? endpoint.ToLowerInvariant() : endpoint[..15].ToLowerInvariant();

    private static Dictionary<string, string> ReadParameterSecret(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(path)))
        {
            stream.Load(reader);
        }

        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlMappingNode root
                && root.Children.TryGetValue(new YamlScalarNode("metadata"), out var metadata)
                && metadata is YamlMappingNode meta
                && meta.Children.TryGetValue(new YamlScalarNode("name"), out var name)
                && name.ToString() == ParametersSecret
                && root.Children.TryGetValue(new YamlScalarNode("stringData"), out var data)
                && data is YamlMappingNode values)
            {
                return values.Children.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value.ToString(), StringComparer.Ordinal);
            }
        }

        return [];
    }
}
