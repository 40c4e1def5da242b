using PersistentTaskStatus.TestInfrastructure;

[assembly: AssemblyFixture(typeof(MongoFixture))]
