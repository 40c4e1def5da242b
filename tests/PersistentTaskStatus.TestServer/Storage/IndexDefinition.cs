using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Storage;

/// <summary>An index as <c>createIndexes</c> described it; only unique indexes constrain what is stored.</summary>
internal sealed class IndexDefinition
{
    public required string Name { get; init; }

    public required BsonDocument Key { get; init; }

    public bool Unique { get; init; }

    public bool Sparse { get; init; }

    /// <summary>The raw <c>partialFilterExpression</c>, if any.</summary>
    public BsonDocument? PartialFilterExpression { get; init; }

    /// <summary>Whether a document belongs in a partial index; set by the layer that can evaluate filters.</summary>
    public Func<BsonDocument, bool>? PartialFilter { get; init; }

    /// <summary>The TTL of the index, in seconds, when it has one.</summary>
    public long? ExpireAfterSeconds { get; init; }

    /// <summary>The index document as <c>listIndexes</c> returns it (<c>v</c>, <c>key</c>, <c>name</c>, options).</summary>
    public required BsonDocument Specification { get; init; }

    public bool Indexes(BsonDocument document)
    {
        if (PartialFilter is not null && !PartialFilter(document))
        {
            return false;
        }

        if (Sparse && !Key.Names.Any(path => DocumentPaths.Exists(document, path)))
        {
            return false;
        }

        return true;
    }

    /// <summary>
    /// The index keys of a document: one per combination of the values its fields hold (an array field gives one key
    /// per element, as a multikey index does). A missing field indexes as null.
    /// </summary>
    public IReadOnlyList<BsonArray> KeysOf(BsonDocument document)
    {
        var keys = new List<BsonArray> { new() };
        foreach (var path in Key.Names)
        {
            var values = DocumentPaths.IndexValues(document, path);
            var next = new List<BsonArray>(keys.Count * values.Count);
            foreach (var key in keys)
            {
                foreach (var value in values)
                {
                    next.Add([.. key, value]);
                }
            }

            keys = next;
        }

        return keys;
    }
}
