using PersistentTaskStatus.Packaging.Tests;
using PersistentTaskStatus.Testing;

[assembly: AssemblyFixture(typeof(MongoFixture))]
[assembly: AssemblyFixture(typeof(PackedLibrary))]
