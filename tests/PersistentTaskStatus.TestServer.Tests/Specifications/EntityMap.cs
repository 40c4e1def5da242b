using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The per-test entity map: unique names, and an error for a missing name or an entity of another type.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#entity-map
/// </summary>
internal sealed class EntityMap : IDisposable
{
    private readonly Dictionary<string, object> entities = new(StringComparer.Ordinal);

    public void Add(string name, object entity)
    {
        if (!entities.TryAdd(name, entity))
        {
            throw new InvalidOperationException($"The entity '{name}' is already defined.");
        }
    }

    public T Get<T>(string name)
        where T : class
    {
        if (!entities.TryGetValue(name, out var entity))
        {
            throw new InvalidOperationException($"No entity is named '{name}'.");
        }

        return entity as T
            ?? throw new InvalidOperationException($"The entity '{name}' is a {entity.GetType().Name}, not a {typeof(T).Name}.");
    }

    public object Get(string name) =>
        entities.TryGetValue(name, out var entity) ? entity : throw new InvalidOperationException($"No entity is named '{name}'.");

    public IEnumerable<ClientEntity> Clients => entities.Values.OfType<ClientEntity>();

    public BsonValue SessionLsid(string name) => Get<IClientSessionHandle>(name).ServerSession.Id;

    public void Dispose()
    {
        foreach (var entity in entities.Values)
        {
            switch (entity)
            {
                case ChangeStreamEntity changeStream:
                    changeStream.Dispose();
                    break;
                case IClientSessionHandle session:
                    session.Dispose();
                    break;
                case ClientEntity client:
                    client.Dispose();
                    break;
            }
        }

        entities.Clear();
    }
}
