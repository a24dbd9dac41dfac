package streammetrics.peer;

/**
 * StreamMetrics' windows (libs/contracts WINDOW_SPECS): tumbling 1m/5m/15m, hopping 1m every 10 s.
 * Serializable: Flink ships the window functions that hold one to its tasks.
 */
record WindowDef(String id, String type, String size, long sizeMs, long advanceMs) implements java.io.Serializable {
  static final WindowDef[] ALL = {
    new WindowDef("1m", "tumbling", "1m", 60_000, 60_000),
    new WindowDef("5m", "tumbling", "5m", 300_000, 300_000),
    new WindowDef("15m", "tumbling", "15m", 900_000, 900_000),
    new WindowDef("1m-hop10s", "hopping", "1m", 60_000, 10_000),
  };

  String topic(String prefix) {
    return prefix + "metrics-aggregated-" + id;
  }
}
