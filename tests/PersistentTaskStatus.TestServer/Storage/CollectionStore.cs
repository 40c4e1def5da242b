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

    private readonly ChangeLog changeLog;

    public CollectionStore(string databaseName, string name, BsonDocument options, ChangeLog changeLog)
    {
        this.changeLog = changeLog;
        DatabaseName = databaseName;
        Name = name;
        Options = options;
        Uuid = Guid.NewGuid();
        indexes.Add(new IndexDefinition
        {
            Name = "_id_",
            Key = new BsonDocument("_id", 1),
            Unique = true,
            Specification = new BsonDocument { { "v", 2 }, { "key", new BsonDocument("_id", 1) }, { "name", "_id_" } },
        });
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
            var seen = new HashSet<BsonArray>(KeyComparer.Instance);
            foreach (var document in documents.Where(index.Indexes))
            {
                foreach (var key in index.KeysOf(document))
                {
                    if (!seen.Add(key))
                    {
                        throw DuplicateKey(index, key);
                    }
                }
            }
        }

        indexes.Add(index);
    }

    /// <summary>Takes over the documents and secondary indexes of another collection (a rename).</summary>
    public void AdoptFrom(CollectionStore source)
    {
        documents.AddRange(source.documents);
        indexes.AddRange(source.indexes.Where(i => i.Name != "_id_"));
    }

    public bool DropIndex(string name) => indexes.RemoveAll(i => i.Name == name) > 0;

    public void DropAllIndexesButId() => indexes.RemoveAll(i => i.Name != "_id_");

    public void Insert(BsonDocument document)
    {
        CheckUnique(document, except: null);
        documents.Add(document);
        changeLog.Append("insert", DatabaseName, Name, document["_id"], after: document);
    }

    /// <summary>
    /// Replaces the stored document <paramref name="existing"/> (same reference) by <paramref name="replacement"/>;
    /// <paramref name="isReplacement"/> tells a whole-document replacement from an update, as change events do.
    /// </summary>
    public void Replace(BsonDocument existing, BsonDocument replacement, bool isReplacement)
    {
        var position = documents.IndexOf(existing);
        if (position < 0)
        {
            throw new InvalidOperationException("The document to replace is not in the collection.");
        }

        CheckUnique(replacement, except: existing);
        documents[position] = replacement;
        changeLog.Append(isReplacement ? "replace" : "update", DatabaseName, Name, replacement["_id"], existing, replacement, isReplacement);
    }

    public void Remove(BsonDocument existing)
    {
        if (documents.Remove(existing))
        {
            changeLog.Append("delete", DatabaseName, Name, existing["_id"], before: existing);
        }
    }

    private void CheckUnique(BsonDocument document, BsonDocument? except)
    {
        foreach (var index in indexes)
        {
            if (!index.Unique || !index.Indexes(document))
            {
                continue;
            }

            var keys = index.KeysOf(document);
            foreach (var other in documents)
            {
                if (ReferenceEquals(other, except) || !index.Indexes(other))
                {
                    continue;
                }

                var otherKeys = index.KeysOf(other);
                foreach (var key in keys)
                {
                    if (otherKeys.Any(k => KeyComparer.Instance.Equals(k, key)))
                    {
                        throw DuplicateKey(index, key);
                    }
                }
            }
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
