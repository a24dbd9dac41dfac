package streammetrics.peer;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * Passes aggregates through, chained into the sink's task (no copy with object reuse), and prints
 * "peer: running" at the first completed checkpoint: every task is then deployed and the pipeline
 * passes barriers, which is when the harness may start sending live events. (Window operators do
 * not hand checkpoint notifications to their window functions, so this cannot live in EmitWindow.)
 */
final class RunningSignal implements MapFunction<AggregateOut, AggregateOut>, CheckpointListener {
  private static final AtomicBoolean RUNNING = new AtomicBoolean();

  @Override
  public AggregateOut map(AggregateOut out) {
    return out;
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    if (RUNNING.compareAndSet(false, true)) System.out.println("peer: running");
  }
}
