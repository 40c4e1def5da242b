namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// THE one list of spec tests skipped because the test server does not have a feature yet. Keyed by
/// <c>"folder/file.json"</c> (every test of the file) or <c>"folder/file.json: description"</c> (one test). When the
/// server gains a feature, delete its entries: the tests then run. Keep entries precise — a test that fails for any
/// other reason must fail, not hide here. (A unit test checks that every key still names an existing file or test.)
/// </summary>
internal static class KnownServerGaps
{
    // Empty: the server has every feature these files use. Add an entry only for a feature still to come.
    public static IReadOnlyDictionary<string, string> Entries { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Why the test is skipped, or null when the server is expected to pass it.</summary>
    public static string? Find(string fileKey, string description) =>
        Entries.TryGetValue($"{fileKey}: {description}", out var reason) ? reason
        : Entries.TryGetValue(fileKey, out reason) ? reason
        : null;
}
