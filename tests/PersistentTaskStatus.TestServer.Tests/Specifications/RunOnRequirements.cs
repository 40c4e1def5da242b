using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>What the runner knows of the server: its version (buildInfo) and topology (hello).</summary>
internal sealed record ServerInfo(string Version, string Topology)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, ServerInfo> Cache = new(StringComparer.Ordinal);

    public static async Task<ServerInfo> GetAsync(IMongoClient client, string connectionString, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Cache.TryGetValue(connectionString, out var known))
            {
                return known;
            }

            var admin = client.GetDatabase("admin");
            var buildInfo = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("buildInfo", 1), cancellationToken: cancellationToken).ConfigureAwait(false);
            var hello = await admin.RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: cancellationToken).ConfigureAwait(false);
            var topology = hello.Contains("serviceId") ? "load-balanced"
                : hello.GetValue("msg", "").ToString() == "isdbgrid" ? "sharded"
                : hello.Contains("setName") ? "replicaset"
                : "single";
            var info = new ServerInfo(buildInfo["version"].AsString, topology);
            Cache[connectionString] = info;
            return info;
        }
        finally
        {
            Gate.Release();
        }
    }
}

/// <summary>
/// <c>runOnRequirements</c>: met when any one requirement is met. Server parameters, authentication mechanisms and
/// client-side encryption are never checked by this runner, so requirements on them count as unmet.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#runonrequirement
/// </summary>
internal static class RunOnRequirements
{
    /// <summary>Null when met (or absent), else why none of the requirements is met.</summary>
    public static string? Unmet(BsonValue? requirements, ServerInfo server)
    {
        if (requirements is not BsonArray array || array.Count == 0)
        {
            return null;
        }

        var reasons = new List<string>();
        foreach (var requirement in array.Select(r => r.AsBsonDocument))
        {
            var reason = UnmetOne(requirement, server);
            if (reason is null)
            {
                return null;
            }

            reasons.Add($"{requirement.ToJson()} ({reason})");
        }

        return string.Join(" or ", reasons);
    }

    public static int CompareVersions(string left, string right)
    {
        var a = Components(left);
        var b = Components(right);
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var comparison = (i < a.Length ? a[i] : 0).CompareTo(i < b.Length ? b[i] : 0);
            if (comparison != 0)
            {
                return comparison;
            }
        }

        return 0;
    }

    private static string? UnmetOne(BsonDocument requirement, ServerInfo server)
    {
        var reasons = new List<string>();
        foreach (var element in requirement)
        {
            switch (element.Name)
            {
                case "minServerVersion" when CompareVersions(server.Version, element.Value.AsString) < 0:
                    reasons.Add($"server {server.Version} is older than {element.Value.AsString}");
                    break;
                case "maxServerVersion" when CompareVersions(server.Version, element.Value.AsString) > 0:
                    reasons.Add($"server {server.Version} is newer than {element.Value.AsString}");
                    break;
                case "minServerVersion" or "maxServerVersion":
                    break;
                case "topologies":
                    var topologies = element.Value.AsBsonArray.Select(t => t.AsString).ToList();
                    if (!topologies.Contains(server.Topology))
                    {
                        reasons.Add($"topology is {server.Topology}");
                    }

                    break;
                case "serverless":
                    if (element.Value.AsString == "require")
                    {
                        reasons.Add("the server is not Atlas Serverless");
                    }

                    break;
                case "auth":
                    if (element.Value.AsBoolean)
                    {
                        reasons.Add("authentication is not enabled");
                    }

                    break;
                case "csfle":
                    if (element.Value.AsBoolean)
                    {
                        reasons.Add("client-side field level encryption is not available");
                    }

                    break;
                case "serverParameters":
                    reasons.Add("this runner does not check server parameters");
                    break;
                case "authMechanism":
                    reasons.Add("this runner does not check authentication mechanisms");
                    break;
                default:
                    throw new NotSupportedException($"The runner does not know the runOnRequirement '{element.Name}'.");
            }
        }

        return reasons.Count == 0 ? null : string.Join(", ", reasons);
    }

    private static int[] Components(string version) =>
        [.. version.Split('-')[0].Split('.').Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];
}
