using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// A change stream entity (from <c>createChangeStream</c> with <c>saveResultAsEntity</c>), iterated one document at a
/// time by <c>iterateUntilDocumentOrError</c>.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#iterateuntildocumentorerror
/// </summary>
internal sealed class ChangeStreamEntity(IChangeStreamCursor<BsonDocument> cursor) : IDisposable
{
    private readonly Queue<BsonDocument> buffered = new();

    /// <summary>Waits for the next change (empty batches are iterated past), or throws the error the driver raises.</summary>
    public async Task<BsonDocument> NextAsync(CancellationToken cancellationToken)
    {
        while (buffered.Count == 0)
        {
            if (!await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException("The change stream ended without a document.");
            }

            foreach (var document in cursor.Current)
            {
                buffered.Enqueue(document);
            }
        }

        return buffered.Dequeue();
    }

    public void Dispose() => cursor.Dispose();
}
