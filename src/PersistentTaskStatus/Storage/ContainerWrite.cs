using MongoDB.Bson;

namespace PersistentTaskStatus.Storage;

/// <summary>
/// One <c>findAndModify</c>: the filter (always by container name), the update pipeline, and the projection of the
/// reply (the document after the change).
/// </summary>
internal sealed record ContainerWrite(BsonDocument Filter, BsonArray Pipeline, BsonDocument Projection, bool Upsert = false)
{
    /// <summary>The operation's name in traces, metrics and logs, when the caller does not give one.</summary>
    public string Operation { get; init; } = "Write";
}
