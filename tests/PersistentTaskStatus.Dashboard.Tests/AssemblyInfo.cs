using PersistentTaskStatus.TestInfrastructure;

[assembly: AssemblyFixture(typeof(MongoFixture))]

// One browser and a web host per test on a 2-core machine: the tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
