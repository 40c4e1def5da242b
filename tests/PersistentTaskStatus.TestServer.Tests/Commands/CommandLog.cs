using System.Collections.Concurrent;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

/// <summary>The command monitoring events one client saw, for tests that count attempts or read error labels.</summary>
internal sealed class CommandLog
{
    /// <summary>Started commands, copied when they started (the driver disposes of the raw command afterwards).</summary>
    public ConcurrentQueue<StartedCommand> Started { get; } = new();

    /// <summary>Failed commands, read when they failed (the driver disposes of the reply an exception wraps).</summary>
    public ConcurrentQueue<FailedCommand> Failed { get; } = new();

    /// <summary>A client on <paramref name="settings"/> (with <paramref name="applicationName"/>) that records into this log.</summary>
    public MongoClient CreateClient(MongoClientSettings settings, string? applicationName = null)
    {
        settings.ApplicationName = applicationName ?? settings.ApplicationName;
        settings.ClusterConfigurator = builder => builder
            .Subscribe<CommandStartedEvent>(e => Started.Enqueue(new StartedCommand(e.CommandName, BsonSerializer.Deserialize<BsonDocument>(e.Command.ToBson()))))
            .Subscribe<CommandFailedEvent>(e => Failed.Enqueue(FailedCommand.Of(e)));
        return new MongoClient(settings);
    }

    public int CountStarted(string commandName) => Started.Count(e => e.CommandName == commandName);
}

internal sealed record FailedCommand(string CommandName, int? Code, IReadOnlyList<string> ErrorLabels)
{
    public static FailedCommand Of(CommandFailedEvent failed) => failed.Failure is MongoCommandException command
        ? new FailedCommand(failed.CommandName, command.Code, [.. command.ErrorLabels])
        : new FailedCommand(failed.CommandName, null, failed.Failure is MongoException other ? [.. other.ErrorLabels] : []);
}

internal sealed record StartedCommand(string CommandName, BsonDocument Command);
