/** The benchmarks' handler: does nothing, returns no result. */
export default { noop: async () => null };
