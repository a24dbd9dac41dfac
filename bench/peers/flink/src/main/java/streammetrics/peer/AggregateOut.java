package streammetrics.peer;

/** One aggregate record on its way to the sink: its topic, key (serviceId), JSON and emit kind. */
public final class AggregateOut {
  public String topic;
  public String key;
  public byte[] json;
  public boolean fin;

  public AggregateOut() {}

  AggregateOut(String topic, String key, byte[] json, boolean fin) {
    this.topic = topic;
    this.key = key;
    this.json = json;
    this.fin = fin;
  }
}
