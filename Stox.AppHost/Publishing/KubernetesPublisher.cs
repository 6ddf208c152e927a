using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Stox.AppHost.Publishing;

/// <summary>
/// Writes plain Kubernetes manifests and a kustomization.yaml listing them: a Secret with the parameters, a
/// StatefulSet and Service per server, a Job that creates the S3 bucket, and a Deployment and Service per service
/// with its replicas and probes on <c>/health</c> (readiness) and <c>/alive</c> (liveness). A variable that holds a
/// secret inside a longer value (a connection string) reads it from the Secret through Kubernetes' own
/// <c>$(NAME)</c> expansion, so no secret is written outside the Secret.
/// </summary>
internal static class KubernetesPublisher
{
    public const string ParametersSecret = "stox-parameters";
    public const string SecretsFileName = "secrets.yaml";

    private const string PartOf = "stox";

    public static async Task<IReadOnlyList<string>> PublishAsync(Deployment deployment, string folder, IConfiguration configuration, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var secretsPath = Path.Combine(folder, SecretsFileName);
        var values = DeploymentValues.Resolve(deployment, File.Exists(secretsPath) ? ReadParameterSecret(secretsPath) : [], configuration);

        var files = new List<(string Name, IEnumerable<object> Documents)> { (SecretsFileName, [Secret(ParametersSecret, values)]) };
        files.AddRange(deployment.Servers.Select(s => ($"{s.Name}.yaml", ServerDocuments(deployment, s))));
        files.AddRange(deployment.Services.Select(s => ($"{s.Name}.yaml", ServiceDocuments(deployment, s))));

        var written = new List<string>();
        foreach (var (name, documents) in files)
        {
            var path = Path.Combine(folder, name);
            var content = Yaml.SerializeAll(documents);
            if (name == SecretsFileName)
            {
                await DeploymentValues.WriteSecretFileAsync(path, content, cancellationToken);
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

    private static Dictionary<string, object> Secret(string name, Dictionary<string, string> data)
    {
        var secret = Document("v1", "Secret", name, name);
        secret["type"] = "Opaque";
        secret["stringData"] = data;
        return secret;
    }

    private static IEnumerable<object> ServerDocuments(Deployment deployment, DeploymentServer server)
    {
        var initConfigMap = $"{server.Name}-init";
        if (server.Databases.Count > 0)
        {
            var configMap = Document("v1", "ConfigMap", initConfigMap, server.Name);
            configMap["data"] = new Dictionary<string, string> { ["10-databases.sql"] = server.CreateDatabasesSql() };
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
            container["args"] = server.Args.Select(Escape).ToList();
        }

        container["env"] = Environment(deployment, server.Environment);
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
        if (server.Databases.Count > 0)
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
        statefulSet["spec"] = new Dictionary<string, object>
        {
            ["serviceName"] = server.Name,
            ["replicas"] = 1,
            ["selector"] = new Dictionary<string, object> { ["matchLabels"] = Selector(server.Name) },
            ["template"] = new Dictionary<string, object>
            {
                ["metadata"] = new Dictionary<string, object> { ["labels"] = Labels(server.Name) },
                ["spec"] = podSpec,
            },
            ["volumeClaimTemplates"] = new List<object>
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
            },
        };
        yield return statefulSet;

        if (server.Bucket is { } bucket)
        {
            yield return BucketJob(server, bucket);
        }
    }

    private static Dictionary<string, object> BucketJob(DeploymentServer server, DeploymentBucket bucket)
    {
        var container = Yaml.Map();
        container["name"] = "create-bucket";
        container["image"] = server.Image;
        container["command"] = new List<string> { "/bin/sh", "-c", Escape(server.CreateBucketScript()) };
        container["env"] = new List<object>
        {
            SecretVariable("S3_ACCESS_KEY", bucket.AccessKeyParameter),
            SecretVariable("S3_SECRET_KEY", bucket.SecretKeyParameter),
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

    private static IEnumerable<object> ServiceDocuments(Deployment deployment, DeploymentService service)
    {
        var http = service.Http;
        // An external service is published on port 80 by a load balancer; inside the cluster every service answers on its own port.
        yield return Service(service.Name, [(http.Name, http.External ? 80 : http.TargetPort, http.TargetPort)], http.External);

        var environment = Environment(deployment, service.Environment);
        environment.Add(Variable("OTEL_SERVICE_NAME", service.Name));
        var container = Yaml.Map();
        container["name"] = service.Name;
        container["image"] = service.Image;
        container["env"] = environment;
        container["ports"] = new List<object> { new Dictionary<string, object> { ["name"] = PortName(http.Name), ["containerPort"] = http.TargetPort } };
        container["startupProbe"] = HttpProbe("/alive", http.TargetPort, periodSeconds: 2, failureThreshold: 60);
        container["readinessProbe"] = HttpProbe("/health", http.TargetPort, periodSeconds: 10, failureThreshold: 3);
        container["livenessProbe"] = HttpProbe("/alive", http.TargetPort, periodSeconds: 10, failureThreshold: 3);

        var kubernetesDeployment = Document("apps/v1", "Deployment", service.Name, service.Name);
        kubernetesDeployment["spec"] = new Dictionary<string, object>
        {
            ["replicas"] = service.Replicas,
            ["selector"] = new Dictionary<string, object> { ["matchLabels"] = Selector(service.Name) },
            ["template"] = new Dictionary<string, object>
            {
                ["metadata"] = new Dictionary<string, object> { ["labels"] = Labels(service.Name) },
                ["spec"] = new Dictionary<string, object> { ["containers"] = new List<object> { container } },
            },
        };
        yield return kubernetesDeployment;
    }

    /// <summary>
    /// A container's variables. One that is exactly a parameter reads it from the Secret; one that holds parameters
    /// inside a longer value uses <c>$(PARAMETER_X)</c>, each defined first from the Secret (Kubernetes expands a
    /// reference only to a variable defined before it).
    /// </summary>
    private static List<object> Environment(Deployment deployment, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var parameters = new List<DeploymentParameter>();
        var variables = new List<object>();
        foreach (var (name, expression) in environment)
        {
            if (ManifestExpression.Parse(expression) is [ValuePart only])
            {
                variables.Add(SecretVariable(name, deployment.Parameter(only.Resource).Name));
                continue;
            }

            variables.Add(Variable(name, deployment.Resolve(
                expression,
                parameter =>
                {
                    if (!parameters.Contains(parameter))
                    {
                        parameters.Add(parameter);
                    }

                    return $"$({ParameterVariable(parameter)})";
                },
                Escape)));
        }

        return [.. parameters.Select(p => SecretVariable(ParameterVariable(p), p.Name)), .. variables];
    }

    private static string ParameterVariable(DeploymentParameter parameter) => $"PARAMETER_{parameter.EnvironmentName}";

    /// <summary>Kubernetes expands <c>$(NAME)</c> in values, commands and arguments; a literal one is written <c>$$(NAME)</c>.</summary>
    private static string Escape(string literal) => literal.Replace("$(", "$$(", StringComparison.Ordinal);

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
        service["spec"] = new Dictionary<string, object>
        {
            ["type"] = external ? "LoadBalancer" : "ClusterIP",
            ["selector"] = Selector(name),
            ["ports"] = ports.Select(p => new Dictionary<string, object>
            {
                ["name"] = PortName(p.Name),
                ["port"] = p.Port,
                ["targetPort"] = p.TargetPort,
                ["protocol"] = "TCP",
            }).ToList(),
        };
        return service;
    }

    private static Dictionary<string, object> Variable(string name, string value) => new() { ["name"] = name, ["value"] = value };

    private static Dictionary<string, object> SecretVariable(string name, string key) => new()
    {
        ["name"] = name,
        ["valueFrom"] = new Dictionary<string, object>
        {
            ["secretKeyRef"] = new Dictionary<string, object> { ["name"] = ParametersSecret, ["key"] = key },
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
    private static string PortName(string endpoint) => (endpoint.Length <= 15 ? endpoint : endpoint[..15]).ToLowerInvariant();

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
