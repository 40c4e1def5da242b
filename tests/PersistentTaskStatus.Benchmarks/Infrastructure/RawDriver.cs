using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus.Storage;

namespace PersistentTaskStatus.Benchmarks.Infrastructure;

/// <summary>
/// The baselines: the library's own commands (from <see cref="ContainerCommands"/>, so the filter, pipeline and
/// projection are identical byte for byte) sent with nothing but the driver's
/// <see cref="IMongoCollection{TDocument}.FindOneAndUpdateAsync{TProjection}(FilterDefinition{TDocument}, UpdateDefinition{TDocument}, FindOneAndUpdateOptions{TDocument, TProjection}, CancellationToken)"/>,
/// with the options <see cref="ContainerStore"/> uses. The reply stays a <see cref="BsonDocument"/>: no reading into
/// the library's model, no handle to update, no validation, no index check.
/// </summary>
internal static class RawDriver
{
    public static Task<BsonDocument> FindAndModifyAsync(IMongoCollection<BsonDocument> collection, ContainerWrite write) =>
        collection.FindOneAndUpdateAsync<BsonDocument>(
            write.Filter,
            new PipelineUpdateDefinition<BsonDocument>(PipelineDefinition<BsonDocument, BsonDocument>.Create(write.Pipeline.Select(s => s.AsBsonDocument))),
            new FindOneAndUpdateOptions<BsonDocument>
            {
                IsUpsert = write.Upsert,
                ReturnDocument = ReturnDocument.After,
                Projection = write.Projection.ElementCount == 0 ? null : write.Projection,
            });

    public static Task<BsonDocument> UpdateProgressAsync(IMongoCollection<BsonDocument> collection, string containerName, string taskName, double percentage, string statusText) =>
        FindAndModifyAsync(collection, ContainerCommands.UpdateProgress(containerName, taskName, percentage, statusText));

    public static Task<BsonDocument> AddTaskAsync(IMongoCollection<BsonDocument> collection, string containerName, string taskName) =>
        FindAndModifyAsync(collection, ContainerCommands.AddTask(containerName, Seed.NewTaskDocument(taskName), [], runAfterPrevious: false));

    public static Task<BsonDocument> GetOrCreateAsync(IMongoCollection<BsonDocument> collection, string containerName) =>
        FindAndModifyAsync(collection, ContainerCommands.GetOrCreate(containerName, ObjectId.GenerateNewId()));

    /// <summary>Leases the next task and completes it: two findAndModify, as the library's lease does.</summary>
    public static async Task LeaseAndCompleteAsync(IMongoCollection<BsonDocument> collection, string containerName, string owner, TimeSpan duration)
    {
        var reply = await FindAndModifyAsync(collection, ContainerCommands.TryLease(containerName, owner, duration, ObjectId.GenerateNewId())).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No container '{containerName}'.");
        var task = reply[Fields.Tasks].AsBsonArray[0].AsBsonDocument;
        var key = new LeaseKey(containerName, reply[Fields.Id], task[Fields.Name].AsString, task[Fields.FencingToken].ToInt64(), duration);
        _ = await FindAndModifyAsync(collection, ContainerCommands.LeaseComplete(key, result: null)).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Lost the lease on '{key.TaskName}'.");
    }
}
