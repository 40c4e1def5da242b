namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The spec test classes share database names (the files name them, e.g. "crud-tests"), so they run one after another;
/// and they set fail points, which act on the whole server (as on MongoDB), so they run alone, after every test that
/// may run in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SpecificationTestsCollection
{
    public const string Name = "MongoDB specification tests";
}
