package streammetrics.peer;

import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * StreamMetrics' emission rule as a Flink trigger: a window that received events fires an interim
 * update at the next multiple of the emit interval (processing time), and fires its final when the
 * watermark passes its end (EventTimeTrigger's rule). Flink's built-in triggers give one or the
 * other (EventTimeTrigger: the final only; ContinuousProcessingTimeTrigger: updates only); the other
 * systems emit both, so the outputs and the latency are measured on the same emission.
 *
 * <p>The processing-time timer is aligned to the interval, so the timer service deduplicates it:
 * one timer per dirty window per interval, whatever the event rate. A timer left over after the
 * window was purged fires on empty state and emits nothing.
 */
final class UpdatesThenFinalTrigger extends Trigger<Object, TimeWindow> {
  private final long emitIntervalMs;

  UpdatesThenFinalTrigger(long emitIntervalMs) {
    this.emitIntervalMs = emitIntervalMs;
  }

  @Override
  public TriggerResult onElement(Object element, long timestamp, TimeWindow window, TriggerContext ctx) {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    long now = ctx.getCurrentProcessingTime();
    ctx.registerProcessingTimeTimer(now - Math.floorMod(now, emitIntervalMs) + emitIntervalMs);
    return TriggerResult.CONTINUE;
  }

  @Override
  public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) {
    return TriggerResult.FIRE;
  }

  @Override
  public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) {
    return time == window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }

  @Override
  public void clear(TimeWindow window, TriggerContext ctx) {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
}
