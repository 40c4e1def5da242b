using System.Collections.Concurrent;
using System.CommandLine;
using System.Net.Sockets;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;
using MongoDB.Driver.Core.Servers;

namespace PersistentTaskStatus.Cli;

/// <summary>
/// Where the containers are, resolved from the options and <c>MONGODB_URI</c>, and the clients opened on it. It knows
/// the connection string only to open the connection and to keep it out of every message: messages name the hosts.
/// </summary>
internal sealed class Connection : IDisposable
{
    public const string EnvironmentVariable = "MONGODB_URI";

    private readonly MongoUrl url;
    private readonly string rawConnectionString;

    // What the driver last learnt of each server (its heartbeats), to explain a server selection that timed out.
    private readonly ConcurrentDictionary<string, ServerDescription> servers = new();
    private MongoClient? mongo;
    private TaskStatusClient? client;

    private Connection(MongoUrl url, string rawConnectionString, string database, string collection, TimeSpan timeout, TimeSpan? stallAfter, TimeSpan watchPollInterval)
    {
        StallAfter = stallAfter;
        this.url = url;
        this.rawConnectionString = rawConnectionString;
        Database = database;
        Collection = collection;
        Timeout = timeout;
        WatchPollInterval = watchPollInterval;
    }

    public string Database { get; }

    public string Collection { get; }

    public TimeSpan Timeout { get; }

    public TimeSpan? StallAfter { get; }

    public TimeSpan WatchPollInterval { get; }

    /// <summary>The servers, as <c>host:port</c> (never user names or passwords).</summary>
    public string Hosts => string.Join(",", url.Servers.Select(s => $"{s.Host}:{s.Port}"));

    /// <summary>Reads the options; throws a usage error when there is no connection string or it is not valid.</summary>
    public static Connection Resolve(ParseResult parseResult, GlobalOptions options, CliEnvironment environment)
    {
        var raw = parseResult.GetValue(options.Connection);
        if (string.IsNullOrWhiteSpace(raw))
        {
            raw = environment.GetEnvironmentVariable(EnvironmentVariable);
        }

        if (string.IsNullOrWhiteSpace(raw))
        {
            throw CliException.Usage($"No MongoDB connection string: pass --connection <uri> or set {EnvironmentVariable}.");
        }

        MongoUrl url;
        try
        {
            url = MongoUrl.Create(raw);
        }
        catch (Exception ex) when (ex is MongoConfigurationException or ArgumentException or FormatException)
        {
            // The driver's message may quote the connection string, password included: never pass it on.
            throw CliException.Usage("The connection string (from --connection or MONGODB_URI) is not a valid MongoDB connection string.");
        }

        var database = parseResult.GetValue(options.Database);
        if (string.IsNullOrWhiteSpace(database))
        {
            // A database guessed here would be empty, and every command would answer "no such container" about the
            // wrong place: refuse, and say how to name it.
            database = string.IsNullOrEmpty(url.DatabaseName)
                ? throw CliException.Usage("The connection string names no database: add it to the connection string (mongodb://host/<database>) or pass --database <name>.")
                : url.DatabaseName;
        }

        var collection = parseResult.GetValue(options.Collection);
        if (string.IsNullOrWhiteSpace(collection))
        {
            throw CliException.Usage("--collection cannot be empty.");
        }

        return new Connection(url, raw, database, collection, parseResult.GetValue(options.Timeout) ?? GlobalOptions.DefaultTimeout, parseResult.GetValue(options.StallAfter), environment.WatchPollInterval);
    }

    /// <summary>The client, opened on first use. It creates no indexes: an operator's tool only reads, resets and deletes.</summary>
    public TaskStatusClient Client
    {
        get
        {
            if (client is null)
            {
                var settings = MongoClientSettings.FromUrl(url);
                settings.ServerSelectionTimeout = Timeout;
                settings.ConnectTimeout = Timeout;
                settings.ApplicationName ??= "pts";
                settings.ClusterConfigurator = builder => builder.Subscribe<ServerDescriptionChangedEvent>(
                    e => servers[Name(e.NewDescription.EndPoint)] = e.NewDescription);
                mongo = new MongoClient(settings);
                var options = new TaskStatusOptions
                {
                    CollectionName = Collection,
                    CreateIndexes = false,
                    OperationTimeout = Timeout * 2 > TimeSpan.FromSeconds(30) ? Timeout * 2 : TimeSpan.FromSeconds(30),
                    WatchPollInterval = WatchPollInterval,
                };
                if (StallAfter is { } stallAfter)
                {
                    options.StallAfter = stallAfter;
                }

                client = new TaskStatusClient(mongo.GetDatabase(Database), options);
            }

            return client;
        }
    }

    /// <summary>
    /// Why no server could be selected, when the driver learnt a reason: a server that answered but belongs to another
    /// replica set than <c>replicaSet=</c> names (or to none), or a connection that failed (a TLS handshake refused by
    /// a server without TLS). Null when no server answered at all.
    /// </summary>
    public string? UnreachableCause()
    {
        var replicaSet = url.ReplicaSetName;
        foreach (var (server, description) in servers.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            // A refused or unanswered connection is what "no server answered" says already; anything after the
            // socket opened (a TLS handshake the server ended, a reply the driver refused) is a cause to name.
            if (description.HeartbeatException is { } error && ErrorReporter.Innermost(error) is not (SocketException or TimeoutException) and var innermost)
            {
                var message = innermost.Message.TrimEnd('.');
                return url.UseTls
                    ? $"connecting to {server} with TLS failed ({message}): does the server accept TLS connections? The connection string asks for them (tls=true)"
                    : $"connecting to {server} failed: {message}";
            }

            if (replicaSet is null)
            {
                continue;
            }

            if (description.ReplicaSetConfig?.Name is { } actual && actual != replicaSet)
            {
                return $"the server at {server} belongs to replica set '{actual}', not to '{replicaSet}' (replicaSet= in the connection string)";
            }

            if (description.Type == ServerType.Standalone)
            {
                return $"the server at {server} is a standalone server, not a member of replica set '{replicaSet}' (replicaSet= in the connection string)";
            }
        }

        return null;
    }

    private static string Name(System.Net.EndPoint endPoint) => endPoint switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        System.Net.IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        _ => endPoint.ToString() ?? "",
    };

    /// <summary>Removes the connection string and its password from a message that might quote them.</summary>
    public string Redact(string message)
    {
        message = message.Replace(rawConnectionString, "<connection string>", StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(url.Password))
        {
            message = message.Replace(url.Password, "***", StringComparison.Ordinal);
        }

        return message;
    }

    public void Dispose()
    {
        client?.Dispose();
        mongo?.Dispose();
    }
}
