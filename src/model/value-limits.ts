/**
 * Bounds on the user values a task carries (payload, result), the same on every listener.
 * Depth counts arrays, objects and maps around the innermost value: a scalar is 0 levels deep,
 * `[1]` and `{"a": 1}` are 1, `[[1]]` is 2. A deeper value is refused before anything walks it,
 * so no input can overflow a stack (JSON conversion, msgpack, validation).
 */
export const MAX_VALUE_DEPTH = 64;
