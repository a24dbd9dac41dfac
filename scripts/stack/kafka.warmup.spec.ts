import { coordinatorPartition, idsCoveringPartitions } from './kafka.warmup';

describe('coordinator placement', () => {
  it('follows java.lang.String#hashCode like Kafka', () => {
    // "hello".hashCode() == 99162322 and "polygenelubricants".hashCode() == Integer.MIN_VALUE in Java.
    expect(coordinatorPartition('hello', 10)).toBe(99162322 % 10);
    expect(coordinatorPartition('hello', 50)).toBe(99162322 % 50);
    expect(coordinatorPartition('polygenelubricants', 10)).toBe(0);
    // A negative hash: "aaaaaaa".hashCode() == -1236860927 in Java (checked with jshell); Kafka
    // takes its absolute value.
    expect(coordinatorPartition('aaaaaaa', 10)).toBe(1236860927 % 10);
  });

  it('finds one id for every partition', () => {
    const ids = idsCoveringPartitions('warm', 10);
    expect(ids).toHaveLength(10);
    expect(new Set(ids.map((id) => coordinatorPartition(id, 10))).size).toBe(10);
  });
});
