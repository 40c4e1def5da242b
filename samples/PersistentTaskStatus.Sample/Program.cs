using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus;
using PersistentTaskStatus.TestServer;

// Runs on the MongoDB in MONGODB_URI, else on the in-process test server.
var uri = Environment.GetEnvironmentVariable("MONGODB_URI");
await using var embedded = string.IsNullOrWhiteSpace(uri) ? await MongoTestServer.StartAsync() : null;
var connectionString = embedded?.ConnectionString ?? uri!;
Console.WriteLine(embedded is null
    ? "Using the MongoDB given by MONGODB_URI."
    : $"Using the in-process test server at {embedded.ConnectionString} (set MONGODB_URI to use another MongoDB).");

using var client = new MongoClient(connectionString);
var collection = client.GetDatabase("pts_sample").GetCollection<BsonDocument>(PersistentTaskStatusInfo.DefaultCollectionName);

// One container document with its tasks embedded, as the library will store it.
var name = $"epf-import:{DateTime.UtcNow:yyyy-MM-dd}";
var container = await collection.FindOneAndUpdateAsync(
    Builders<BsonDocument>.Filter.Eq("name", name),
    Builders<BsonDocument>.Update
        .SetOnInsert("name", name)
        .Push("tasks", new BsonDocument { { "name", "download" }, { "percentageComplete", 0 } }),
    new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After });

var readBack = await collection.Find(Builders<BsonDocument>.Filter.Eq("name", name)).SingleAsync();
Console.WriteLine($"Wrote and read back container '{readBack["name"]}' with {readBack["tasks"].AsBsonArray.Count} task(s).");
return readBack["_id"] == container["_id"] ? 0 : 1;
