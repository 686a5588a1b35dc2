using Serverless.Testing.Fixtures;

// One connection to the run's Redis for every test of this assembly, instead of one per test class.
[assembly: AssemblyFixture(typeof(SharedRedis))]
