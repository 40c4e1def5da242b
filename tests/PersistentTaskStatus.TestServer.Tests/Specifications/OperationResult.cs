namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// What an operation returned: a BSON value shaped like the spec's result (null for "no result"), or an entity such as
/// a change stream; <see cref="IsIterable"/> marks results whose elements are root-level documents (find, aggregate).
/// </summary>
internal sealed record OperationResult(BsonValue? Value, object? Entity = null, bool IsIterable = false)
{
    public static OperationResult None { get; } = new((BsonValue?)null);
}

/// <summary>An operation whose arguments have been read, ready to run.</summary>
internal delegate Task<OperationResult> PreparedOperation(CancellationToken cancellationToken);
