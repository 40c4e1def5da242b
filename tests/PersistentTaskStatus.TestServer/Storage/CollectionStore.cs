using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;

namespace PersistentTaskStatus.TestServer.Storage;

/// <summary>
/// One collection: its documents in natural (insertion) order and its indexes. Unique indexes are enforced on every
/// insert and replace; the caller holds <see cref="StorageEngine.SyncRoot"/>.
/// </summary>
internal sealed class CollectionStore
{
    private readonly List<BsonDocument> documents = [];
    private readonly List<IndexDefinition> indexes = [];

    // For each unique index, which document holds each key: checks cost one look-up per key, not a scan.
    private readonly Dictionary<IndexDefinition, Dictionary<BsonArray, BsonDocument>> uniqueKeys = [];

    private readonly ChangeLog changeLog;

    public CollectionStore(string databaseName, string name, BsonDocument options, ChangeLog changeLog)
    {
        this.changeLog = changeLog;
        DatabaseName = databaseName;
        Name = name;
        Options = options;
        Uuid = Guid.NewGuid();
        var idIndex = new IndexDefinition
        {
            Name = "_id_",
            Key = new BsonDocument("_id", 1),
            Unique = true,
            Specification = new BsonDocument { { "v", 2 }, { "key", new BsonDocument("_id", 1) }, { "name", "_id_" } },
        };
        indexes.Add(idIndex);
        uniqueKeys[idIndex] = new Dictionary<BsonArray, BsonDocument>(KeyComparer.Instance);
    }

    public string DatabaseName { get; }

    public string Name { get; }

    public string Namespace => $"{DatabaseName}.{Name}";

    public BsonDocument Options { get; }

    public Guid Uuid { get; }

    public IReadOnlyList<BsonDocument> Documents => documents;

    public IReadOnlyList<IndexDefinition> Indexes => indexes;

    public IndexDefinition? FindIndex(string name) => indexes.Find(i => i.Name == name);

    public IndexDefinition? FindIndexByKey(BsonDocument key) => indexes.Find(i => i.Key.Equals(key));

    /// <summary>Adds an index; a new unique index over documents that break it fails and is not added.</summary>
    public void AddIndex(IndexDefinition index)
    {
        if (index.Unique)
        {
            var keys = new Dictionary<BsonArray, BsonDocument>(KeyComparer.Instance);
            foreach (var document in documents)
            {
                AddKeys(index, keys, document);
            }

            uniqueKeys[index] = keys;
        }

        indexes.Add(index);
    }

    /// <summary>Takes over the documents and secondary indexes of another collection (a rename).</summary>
    public void AdoptFrom(CollectionStore source)
    {
        documents.AddRange(source.documents);
        foreach (var document in documents)
        {
            AddKeys(indexes[0], uniqueKeys[indexes[0]], document);
        }

        foreach (var index in source.indexes.Where(i => i.Name != "_id_"))
        {
            AddIndex(index);
        }
    }

    public bool DropIndex(string name)
    {
        foreach (var index in indexes.Where(i => i.Name == name))
        {
            uniqueKeys.Remove(index);
        }

        return indexes.RemoveAll(i => i.Name == name) > 0;
    }

    public void DropAllIndexesButId()
    {
        foreach (var index in indexes.Where(i => i.Name != "_id_"))
        {
            uniqueKeys.Remove(index);
        }

        indexes.RemoveAll(i => i.Name != "_id_");
    }

    /// <summary>Stores a new document; <paramref name="bytes"/> is its size, for the change log's memory budget.</summary>
    public void Insert(BsonDocument document, int bytes = 0)
    {
        CheckUnique(document, except: null);
        IndexKeys(document);
        documents.Add(document);
        changeLog.Append("insert", DatabaseName, Name, document["_id"], after: document, bytes: bytes);
    }

    /// <summary>
    /// Replaces the stored document <paramref name="existing"/> (same reference) by <paramref name="replacement"/>;
    /// <paramref name="isReplacement"/> tells a whole-document replacement from an update, as change events do.
    /// </summary>
    public void Replace(BsonDocument existing, BsonDocument replacement, bool isReplacement, int bytes = 0, IReadOnlyList<string>? rewrittenPaths = null)
    {
        var position = PositionOf(existing);
        if (position < 0)
        {
            throw new InvalidOperationException("The document to replace is not in the collection.");
        }

        CheckUnique(replacement, except: existing);
        UnindexKeys(existing);
        IndexKeys(replacement);
        documents[position] = replacement;
        // An update keeps the document before it too (for its updateDescription): twice the bytes.
        changeLog.Append(isReplacement ? "replace" : "update", DatabaseName, Name, replacement["_id"], isReplacement ? null : existing, replacement, isReplacement, bytes: isReplacement ? bytes : 2L * bytes, rewrittenPaths: rewrittenPaths);
    }

    public void Remove(BsonDocument existing)
    {
        var position = PositionOf(existing);
        if (position >= 0)
        {
            documents.RemoveAt(position);
            UnindexKeys(existing);
            // A delete event carries only the document key: the removed document is not kept.
            changeLog.Append("delete", DatabaseName, Name, existing["_id"]);
        }
    }

    /// <summary>
    /// Where the stored document is, found by reference: the stored instance is what a command holds, and value
    /// equality would be wrong (the driver's <c>BsonDocument.Equals</c> finds a document holding NaN unequal to itself)
    /// and slow (a deep comparison of every document before it).
    /// </summary>
    private int PositionOf(BsonDocument existing)
    {
        for (var i = 0; i < documents.Count; i++)
        {
            if (ReferenceEquals(documents[i], existing))
            {
                return i;
            }
        }

        return -1;
    }

    private void CheckUnique(BsonDocument document, BsonDocument? except)
    {
        foreach (var (index, keys) in uniqueKeys)
        {
            if (!index.Indexes(document))
            {
                continue;
            }

            foreach (var key in index.KeysOf(document))
            {
                if (keys.TryGetValue(key, out var holder) && !ReferenceEquals(holder, except))
                {
                    throw DuplicateKey(index, key);
                }
            }
        }
    }

    private void IndexKeys(BsonDocument document)
    {
        foreach (var (index, keys) in uniqueKeys)
        {
            AddKeys(index, keys, document);
        }
    }

    private void UnindexKeys(BsonDocument document)
    {
        foreach (var (index, keys) in uniqueKeys)
        {
            if (!index.Indexes(document))
            {
                continue;
            }

            foreach (var key in index.KeysOf(document))
            {
                if (keys.TryGetValue(key, out var holder) && ReferenceEquals(holder, document))
                {
                    keys.Remove(key);
                }
            }
        }
    }

    /// <summary>Records a document's keys in a unique index; a key another document holds is a duplicate.</summary>
    private void AddKeys(IndexDefinition index, Dictionary<BsonArray, BsonDocument> keys, BsonDocument document)
    {
        if (!index.Indexes(document))
        {
            return;
        }

        foreach (var key in index.KeysOf(document))
        {
            if (keys.TryGetValue(key, out var holder) && !ReferenceEquals(holder, document))
            {
                throw DuplicateKey(index, key);
            }

            keys[key] = document;
        }
    }

    private MongoServerException DuplicateKey(IndexDefinition index, BsonArray key)
    {
        var keyValue = new BsonDocument();
        var i = 0;
        foreach (var field in index.Key.Names)
        {
            keyValue[field] = key[i++];
        }

        var shown = string.Join(", ", keyValue.Select(e => $"{e.Name}: {e.Value.ToJson()}"));
        return new MongoServerException(
            ErrorCode.DuplicateKey,
            $"E11000 duplicate key error collection: {Namespace} index: {index.Name} dup key: {{ {shown} }}")
        {
            Details = new BsonDocument { { "keyPattern", index.Key.DeepClone() }, { "keyValue", keyValue } },
        };
    }

    private sealed class KeyComparer : IEqualityComparer<BsonArray>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(BsonArray? x, BsonArray? y) =>
            x is not null && y is not null && x.Count == y.Count &&
            x.Zip(y).All(pair => BsonOrder.Instance.Compare(pair.First, pair.Second) == 0);

        public int GetHashCode(BsonArray obj)
        {
            var hash = default(HashCode);
            foreach (var value in obj)
            {
                hash.Add(BsonOrder.Instance.GetHashCode(value));
            }

            return hash.ToHashCode();
        }
    }
}
