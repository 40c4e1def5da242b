using PersistentTaskStatus.Packaging.Tests;
using PersistentTaskStatus.TestInfrastructure;

[assembly: AssemblyFixture(typeof(MongoFixture))]
[assembly: AssemblyFixture(typeof(PackedLibrary))]
