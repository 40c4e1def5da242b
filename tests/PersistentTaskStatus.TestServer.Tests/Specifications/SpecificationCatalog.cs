namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// Finds MongoDB's unified-format test files (read in place from <c>MONGO_SPEC_DIR</c>, by default
/// <c>../shared/mongo-spec</c> beside the repository, never copied into it: they are CC BY-NC-SA licensed) and names
/// one case per test: <c>"folder/file.json: description"</c>.
/// </summary>
internal static class SpecificationCatalog
{
    private const string FileSeparator = ".json: ";

    /// <summary>The case id of the single case reporting that a folder is absent.</summary>
    public static string AbsentCaseId(string folder) => $"{folder}/ is absent";

    public static string Directory()
    {
        var configured = Environment.GetEnvironmentVariable("MONGO_SPEC_DIR");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "PersistentTaskStatus.sln")))
            {
                return Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "mongo-spec"));
            }
        }

        throw new InvalidOperationException($"No PersistentTaskStatus.sln above {AppContext.BaseDirectory}; set MONGO_SPEC_DIR.");
    }

    /// <summary>One case id per test of every file in <paramref name="folder"/>, or the one "absent" case.</summary>
    public static TheoryData<string> Cases(string folder)
    {
        var data = new TheoryData<string>();
        var path = Path.Combine(Directory(), folder);
        if (!System.IO.Directory.Exists(path))
        {
            data.Add(Row(AbsentCaseId(folder)));
            return data;
        }

        foreach (var file in System.IO.Directory.GetFiles(path, "*.json").Order(StringComparer.Ordinal))
        {
            var document = LoadFile(file);
            foreach (var test in document["tests"].AsBsonArray)
            {
                data.Add(Row($"{folder}/{Path.GetFileName(file)}: {test["description"].AsString}"));
            }
        }

        return data;
    }

    // xunit shortens long arguments in display names; the case id (file and description) is the whole display name.
    private static TheoryDataRow<string> Row(string caseId) => new(caseId) { TestDisplayName = caseId };

    /// <summary>The file and the test a case id names.</summary>
    public static (string FileKey, BsonDocument File, BsonDocument Test) Load(string caseId)
    {
        var separator = caseId.IndexOf(FileSeparator, StringComparison.Ordinal);
        if (separator < 0)
        {
            throw new ArgumentException($"'{caseId}' is not a case id of the form 'folder/file.json: description'.", nameof(caseId));
        }

        var fileKey = caseId[..(separator + ".json".Length)];
        var description = caseId[(separator + FileSeparator.Length)..];
        var file = LoadFile(Path.Combine(Directory(), fileKey));
        var test = file["tests"].AsBsonArray.Select(t => t.AsBsonDocument).SingleOrDefault(t => t["description"].AsString == description)
            ?? throw new InvalidOperationException($"{fileKey} has no test '{description}'.");
        return (fileKey, file, test);
    }

    // Extended JSON (relaxed or canonical), as the spec requires; BsonDocument.Parse reads both.
    private static BsonDocument LoadFile(string path) => BsonDocument.Parse(File.ReadAllText(path));
}
