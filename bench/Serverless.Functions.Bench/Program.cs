using Serverless.Functions.Bench;

return await FunctionsBenchmark.RunAsync(BenchOptions.Parse(args));
