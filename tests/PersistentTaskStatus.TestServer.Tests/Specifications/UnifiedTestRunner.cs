using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// Runs one test of a unified-format file against the fixture's MongoDB, following "Executing a Test File" and
/// "Executing a Test": requirements, initialData (drop, create, insert with w:majority), entities, operations with
/// their expectations, fail points switched off, expectEvents, then outcome compared exactly.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#test-runner-implementation
/// </summary>
internal sealed class UnifiedTestRunner(MongoFixture fixture)
{
    /// <summary>The newest schema version whose files this runner accepts (same major version, minor up to this).</summary>
    public const string SupportedSchemaVersion = "1.19";

    public async Task RunAsync(string caseId, CancellationToken cancellationToken)
    {
        if (!caseId.Contains(".json: ", StringComparison.Ordinal))
        {
            Assert.Skip($"The spec test folder is absent: {caseId} (looked in {SpecificationCatalog.Directory()}; set MONGO_SPEC_DIR).");
        }

        var (fileKey, file, test) = SpecificationCatalog.Load(caseId);
        CheckSchemaVersion(file["schemaVersion"].AsString);

        var server = await ServerInfo.GetAsync(fixture.Client, fixture.ConnectionString, cancellationToken).ConfigureAwait(false);
        if (RunOnRequirements.Unmet(file.GetValue("runOnRequirements", BsonNull.Value), server) is { } fileReason)
        {
            Assert.Skip($"runOnRequirements of the file not met: {fileReason}");
        }

        if (RunOnRequirements.Unmet(test.GetValue("runOnRequirements", BsonNull.Value), server) is { } testReason)
        {
            Assert.Skip($"runOnRequirements of the test not met: {testReason}");
        }

        if (test.TryGetValue("skipReason", out var skipReason))
        {
            Assert.Skip($"skipReason: {skipReason.AsString}");
        }

        OperationCatalog.ThrowIfAnyUnknown(file, test);
        if (KnownServerGaps.Find(fileKey, test["description"].AsString) is { } gap)
        {
            Assert.Skip($"Known server gap: {gap}");
        }

        try
        {
            await LoadInitialDataAsync(file.GetValue("initialData", new BsonArray()).AsBsonArray, cancellationToken).ConfigureAwait(false);
        }
        catch (MongoException error)
        {
            throw new InvalidOperationException($"initialData could not be loaded: {error.GetType().Name}: {error.Message}", error);
        }

        using var entities = new EntityMap();
        EntityFactory.Create(file.GetValue("createEntities", new BsonArray()).AsBsonArray, entities, fixture.CreateClientSettings);
        var failPoints = new FailPoints();
        var matcher = new UnifiedMatcher(entities);
        try
        {
            var index = 0;
            foreach (var operation in test["operations"].AsBsonArray.Select(o => o.AsBsonDocument))
            {
                await RunOperationAsync(operation, index++, entities, failPoints, matcher, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await failPoints.DisableAllAsync(cancellationToken).ConfigureAwait(false);
        }

        if (test.TryGetValue("expectEvents", out var expectEvents) && ExpectedEvents.Check(expectEvents.AsBsonArray, entities, matcher) is { } eventFailure)
        {
            Assert.Fail($"expectEvents: {eventFailure}");
        }

        if (test.TryGetValue("outcome", out var outcome))
        {
            await CheckOutcomeAsync(outcome.AsBsonArray, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static void CheckSchemaVersion(string schemaVersion)
    {
        var file = schemaVersion.Split('.');
        var supported = SupportedSchemaVersion.Split('.');
        if (file[0] != supported[0] || RunOnRequirements.CompareVersions(schemaVersion, SupportedSchemaVersion) > 0)
        {
            throw new NotSupportedException($"The file's schemaVersion {schemaVersion} is not compatible with this runner's {SupportedSchemaVersion}.");
        }
    }

    private static async Task RunOperationAsync(
        BsonDocument operation, int index, EntityMap entities, FailPoints failPoints, UnifiedMatcher matcher, CancellationToken cancellationToken)
    {
        var name = operation["name"].AsString;
        var target = operation["object"].AsString;
        var label = $"operation {index} ({name} on {target})";
        var args = new OperationArguments(name, operation.GetValue("arguments", BsonNull.Value) as BsonDocument);
        PreparedOperation prepared;
        if (target == "testRunner")
        {
            prepared = name == "failPoint"
                ? failPoints.Prepare(args, entities)
                : throw new NotSupportedException($"The runner does not implement the special operation '{name}'.");
        }
        else
        {
            var entity = entities.Get(target);
            prepared = OperationCatalog.Prepare(name, entity, args)
                ?? throw new NotSupportedException($"The runner does not implement the operation '{name}' on {target} ({entity.GetType().Name}).");
        }

        args.ThrowIfAnyUnread();
        foreach (var key in operation.Names)
        {
            if (key is not ("name" or "object" or "arguments" or "expectResult" or "expectError" or "saveResultAsEntity" or "ignoreResultAndError"))
            {
                throw new NotSupportedException($"{label}: the runner does not support the operation field '{key}'.");
            }
        }

        OperationResult result;
        try
        {
            result = await prepared(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (operation.GetValue("ignoreResultAndError", false).AsBoolean)
            {
                return;
            }

            if (operation.TryGetValue("expectError", out var expectedError))
            {
                if (ExpectedErrorAssertion.Check(expectedError.AsBsonDocument, error, matcher) is { } errorFailure)
                {
                    Assert.Fail($"{label}: the error is not the expected one: {errorFailure}");
                }

                return;
            }

            throw new InvalidOperationException($"{label} failed unexpectedly: {error.GetType().Name}: {error.Message}", error);
        }

        if (operation.GetValue("ignoreResultAndError", false).AsBoolean)
        {
            return;
        }

        if (operation.TryGetValue("expectError", out var missedError))
        {
            Assert.Fail($"{label}: expected an error {missedError.ToJson()}, but it returned {result.Value?.ToJson() ?? "no result"}.");
        }

        if (operation.TryGetValue("expectResult", out var expectedResult))
        {
            var failure = result.IsIterable && expectedResult is BsonArray expectedArray && result.Value is BsonArray actualArray
                ? matcher.MatchIterable(expectedArray, actualArray)
                : matcher.Match(expectedResult, result.Value, isRoot: true);
            if (failure is not null)
            {
                Assert.Fail($"{label}: the result does not match: {failure}; expected {expectedResult.ToJson()}, got {result.Value?.ToJson() ?? "no result"}.");
            }
        }

        if (operation.TryGetValue("saveResultAsEntity", out var saveAs))
        {
            entities.Add(saveAs.AsString, result.Entity ?? result.Value ?? throw new InvalidOperationException($"{label} returned nothing to save as {saveAs.AsString}."));
        }
    }

    private async Task LoadInitialDataAsync(BsonArray initialData, CancellationToken cancellationToken)
    {
        foreach (var data in initialData.Select(d => d.AsBsonDocument))
        {
            var database = fixture.Client.GetDatabase(data["databaseName"].AsString, new MongoDatabaseSettings { WriteConcern = WriteConcern.WMajority });
            var collectionName = data["collectionName"].AsString;
            var documents = data["documents"].AsBsonArray.Select(d => d.AsBsonDocument).ToList();
            await database.DropCollectionAsync(collectionName, cancellationToken).ConfigureAwait(false);
            if (data.TryGetValue("createOptions", out var createOptions))
            {
                var create = new BsonDocument("create", collectionName).Merge(createOptions.AsBsonDocument);
                create["writeConcern"] = new BsonDocument("w", "majority");
                await database.RunCommandAsync<BsonDocument>(create, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else if (documents.Count == 0)
            {
                await database.CreateCollectionAsync(collectionName, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            if (documents.Count > 0)
            {
                await database.GetCollection<BsonDocument>(collectionName).InsertManyAsync(documents, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CheckOutcomeAsync(BsonArray outcome, CancellationToken cancellationToken)
    {
        foreach (var data in outcome.Select(d => d.AsBsonDocument))
        {
            var collection = fixture.Client
                .GetDatabase(data["databaseName"].AsString)
                .GetCollection<BsonDocument>(data["collectionName"].AsString)
                .WithReadPreference(ReadPreference.Primary)
                .WithReadConcern(ReadConcern.Local);
            List<BsonDocument> actual;
            try
            {
                actual = await collection.Find(FilterDefinition<BsonDocument>.Empty)
                    .Sort(new BsonDocument("_id", 1))
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MongoException error)
            {
                throw new InvalidOperationException($"outcome: reading {collection.CollectionNamespace} failed: {error.GetType().Name}: {error.Message}", error);
            }

            if (ExactDataComparer.CompareCollection(data["documents"].AsBsonArray, actual) is { } failure)
            {
                Assert.Fail($"outcome of {data["databaseName"]}.{data["collectionName"]}: {failure}");
            }
        }
    }
}
