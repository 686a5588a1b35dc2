using Serverless.Testing.Fixtures;

// One connection to the run's Redis and one PostgreSQL (a schema per test, dropped at the end) for
// every test of this assembly, instead of a connection and a cleanup per test.
[assembly: AssemblyFixture(typeof(SharedRedis))]
[assembly: AssemblyFixture(typeof(SharedPostgres))]
