namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The spec test classes share database names (the files name them, e.g. "crud-tests"), so they run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SpecificationTestsCollection
{
    public const string Name = "MongoDB specification tests";
}
