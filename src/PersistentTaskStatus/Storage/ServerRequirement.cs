using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Servers;

namespace PersistentTaskStatus.Storage;

/// <summary>
/// Checks, once per client and before its first command, that the deployment is MongoDB 5.0 or later: every command
/// the library sends relies on it (<c>$getField</c> is 5.0; task data with <c>$</c>-prefixed keys needs
/// featureCompatibilityVersion 5.0). One <c>buildInfo</c> answers it; after that first round trip the driver's cluster
/// description also knows the wire version of every server it has connected to, and each must be 13 or more.
/// The featureCompatibilityVersion is not read (<c>getParameter</c> needs administrative rights): below 5.0 MongoDB
/// still runs the library's commands (it gates expressions by featureCompatibilityVersion only in persisted
/// definitions), except that it refuses <c>$</c>-prefixed keys in task data (error 52), which
/// <see cref="Explain"/> turns into the same exception, naming what is needed.
/// </summary>
internal sealed class ServerRequirement(IMongoDatabase database)
{
    /// <summary>The wire version of MongoDB 5.0.</summary>
    public const int MinWireVersion = 13;

    // InvalidPipelineOperator ("Unrecognized expression"), QueryFeatureNotAllowed (not allowed by the
    // featureCompatibilityVersion), DollarPrefixedFieldName (storage of '$'-prefixed keys below 5.0).
    private static readonly HashSet<int> RequirementCodes = [168, 224, 52];

    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile bool satisfied;
    private volatile string? foundVersion;

    /// <summary>Throws <see cref="UnsupportedServerVersionException"/> when the deployment is older than 5.0; checks once.</summary>
    public async Task EnsureSupportedAsync(CancellationToken cancellationToken)
    {
        if (satisfied)
        {
            return;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (satisfied)
            {
                return;
            }

            var buildInfo = await database.RunCommandAsync<BsonDocument>(new BsonDocument("buildInfo", 1), cancellationToken: cancellationToken).ConfigureAwait(false);
            var version = buildInfo.GetValue("version", BsonNull.Value) is BsonString text ? text.Value : "of unknown version";
            foundVersion = version;
            var tooOld = database.Client.Cluster.Description.Servers
                .Where(s => s.State == ServerState.Connected && s.MaxWireVersion < MinWireVersion)
                .ToList();
            if (tooOld.Count > 0 || !IsAtLeast50(buildInfo))
            {
                var where = tooOld.Count > 0
                    ? string.Join(", ", tooOld.Select(s => $"{Describe(s.EndPoint)} (wire version {s.MaxWireVersion})"))
                    : "the server";
                throw new UnsupportedServerVersionException(
                    $"PersistentTaskStatus needs MongoDB {UnsupportedServerVersionException.RequiredVersion} or later (wire version {MinWireVersion}) with featureCompatibilityVersion {UnsupportedServerVersionException.RequiredVersion} or later; {where} runs MongoDB {version}. Nothing was written.",
                    version);
            }

            satisfied = true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The library's exception for an error that only a release or featureCompatibilityVersion older than 5.0 gives;
    /// null for any other error.
    /// </summary>
    public UnsupportedServerVersionException? Explain(MongoCommandException error, string operation, string containerName, string? taskName)
    {
        if (!RequirementCodes.Contains(error.Code))
        {
            return null;
        }

        var subject = containerName == "*"
            ? "task containers"
            : $"{(taskName is null ? "" : $"task '{taskName}' of ")}task container '{containerName}'";
        var cause = error.Code == 52
            ? $"which it does only below featureCompatibilityVersion {UnsupportedServerVersionException.RequiredVersion} (run {{ setFeatureCompatibilityVersion: \"{UnsupportedServerVersionException.RequiredVersion}\" }} on the admin database)"
            : "which a MongoDB release or featureCompatibilityVersion older than it does";
        var found = foundVersion is { } version ? $" The server runs MongoDB {version}." : "";
        return new UnsupportedServerVersionException(
            $"MongoDB refused {operation} on {subject} with error {error.Code} ({error.CodeName}: {error.ErrorMessage}), {cause}. PersistentTaskStatus needs MongoDB {UnsupportedServerVersionException.RequiredVersion} or later with featureCompatibilityVersion {UnsupportedServerVersionException.RequiredVersion} or later.{found} Nothing was written.",
            foundVersion,
            error)
        {
            ContainerName = containerName == "*" ? null : containerName,
            TaskName = taskName,
        };
    }

    private static bool IsAtLeast50(BsonDocument buildInfo) =>
        buildInfo.GetValue("versionArray", BsonNull.Value) is not BsonArray { Count: > 0 } parts || !parts[0].IsNumeric || parts[0].ToInt32() >= 5;

    private static string Describe(System.Net.EndPoint endPoint) => endPoint switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endPoint.ToString() ?? "the server",
    };
}
