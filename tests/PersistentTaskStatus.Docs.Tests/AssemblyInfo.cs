using PersistentTaskStatus.Testing;

[assembly: AssemblyFixture(typeof(MongoFixture))]
