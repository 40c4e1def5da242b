using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>
/// The fail points this server offers, configured with <c>configureFailPoint</c> as on a MongoDB started with
/// <c>enableTestCommands</c> (https://github.com/mongodb/mongo/wiki/The-%22failCommand%22-fail-point):
/// <c>failCommand</c>, <c>onPrimaryTransactionalWrite</c> and <c>failGetMoreAfterCursorCheckout</c>.
/// </summary>
internal sealed class FailPoints
{
    private readonly Dictionary<string, FailPoint> active = new(StringComparer.Ordinal);
    private readonly Lock sync = new();

    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "failCommand", "onPrimaryTransactionalWrite", "failGetMoreAfterCursorCheckout",
    };

    /// <summary>Sets or clears a fail point; returns how many times it had triggered before.</summary>
    public long Configure(string name, BsonValue mode, BsonDocument data)
    {
        if (!Known.Contains(name))
        {
            throw MongoServerException.NotSupported($"The fail point '{name}'");
        }

        var (times, skip, off) = ParseMode(mode);
        lock (sync)
        {
            var previous = active.GetValueOrDefault(name)?.Triggered ?? 0;
            if (off)
            {
                active.Remove(name);
            }
            else
            {
                Validate(name, data);
                active[name] = new FailPoint(name, data, times, skip);
            }

            return previous;
        }
    }

    public void Clear()
    {
        lock (sync)
        {
            active.Clear();
        }
    }

    /// <summary>
    /// The data of fail point <paramref name="name"/> when it fires for this command, consuming one activation;
    /// null when it does not fire.
    /// </summary>
    public BsonDocument? Trigger(string name, string commandName, ConnectionContext connection)
    {
        lock (sync)
        {
            // An exhausted {times: n} fail point stays, inactive, so that switching it off reports how often it
            // fired since it was set, as MongoDB's configureFailPoint does.
            if (!active.TryGetValue(name, out var failPoint) || failPoint.Times == 0)
            {
                return null;
            }

            var data = failPoint.Data;
            if (name == "failCommand")
            {
                var commands = data.GetValue("failCommands", new BsonArray()).AsBsonArray;
                if (!commands.Any(c => c.IsString && c.AsString.Equals(commandName, StringComparison.Ordinal)))
                {
                    return null;
                }

                if (data.TryGetValue("appName", out var appName) && appName.AsString != connection.AppName)
                {
                    return null;
                }
            }

            if (failPoint.Skip > 0)
            {
                failPoint.Skip--;
                return null;
            }

            failPoint.Triggered++;
            if (failPoint.Times is not null)
            {
                failPoint.Times--;
            }

            return data;
        }
    }

    private static (long? Times, long Skip, bool Off) ParseMode(BsonValue mode)
    {
        switch (mode)
        {
            case BsonString { Value: "alwaysOn" }:
                return (null, 0, false);
            case BsonString { Value: "off" }:
                return (null, 0, true);
            case BsonDocument document when document.ElementCount == 1 && document.Contains("times"):
                var times = document["times"].ToInt64();
                return (times, 0, times <= 0);
            case BsonDocument document when document.ElementCount == 1 && document.Contains("skip"):
                return (null, document["skip"].ToInt64(), false);
            case BsonDocument document when document.Contains("activationProbability"):
                throw MongoServerException.NotSupported("The fail point mode 'activationProbability'");
            default:
                throw MongoServerException.BadValue($"Invalid fail point mode: {mode.ToJson()}");
        }
    }

    private static void Validate(string name, BsonDocument data)
    {
        var known = name switch
        {
            "failCommand" => new[]
            {
                "failCommands", "errorCode", "errorLabels", "closeConnection", "blockConnection", "blockTimeMS",
                "writeConcernError", "appName", "failInternalCommands", "namespace",
            },
            "onPrimaryTransactionalWrite" => ["closeConnection", "failBeforeCommitExceptionCode"],
            _ => ["errorCode", "closeConnection"],
        };
        foreach (var element in data)
        {
            if (!known.Contains(element.Name))
            {
                throw MongoServerException.NotSupported($"The '{element.Name}' option of the fail point '{name}'");
            }
        }

        if (name == "failCommand" && data.Contains("namespace"))
        {
            throw MongoServerException.NotSupported("The 'namespace' option of the fail point 'failCommand'");
        }
    }

    private sealed class FailPoint(string name, BsonDocument data, long? times, long skip)
    {
        public string Name { get; } = name;

        public BsonDocument Data { get; } = data;

        public long? Times { get; set; } = times;

        public long Skip { get; set; } = skip;

        public long Triggered { get; set; }
    }
}
