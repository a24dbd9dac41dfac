package streammetrics.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** One decoded input event, validated like the StreamMetrics processor validates it. Shared by both peers. */
record Event(long ts, double value, String serviceId, String metricName, String series, String rollup) {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9._-]{1,200}$");

  /** The event, or null when it is invalid (the caller counts it). */
  static Event parse(byte[] bytes) {
    try {
      JsonNode e = JSON.readTree(bytes);
      String serviceId = e.path("serviceId").asText(null);
      String metricName = e.path("metricName").asText(null);
      JsonNode tsNode = e.get("timestamp");
      JsonNode v = e.get("value");
      if (serviceId == null || metricName == null || !NAME.matcher(serviceId).matches()
          || !NAME.matcher(metricName).matches() || tsNode == null || v == null || !v.isNumber()) {
        return null;
      }
      long ts = tsNode.isNumber() ? tsNode.asLong() : OffsetDateTime.parse(tsNode.asText()).toInstant().toEpochMilli();
      double value = v.asDouble();
      if (!Double.isFinite(value) || Math.abs(value) > 1e15 || ts < 0) return null;
      TreeMap<String, String> tags = new TreeMap<>();
      JsonNode t = e.get("tags");
      if (t != null && t.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> fields = t.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> f = fields.next();
          tags.put(f.getKey(), f.getValue().asText());
        }
      }
      String base = serviceId + "|" + metricName + "|";
      String series = base + (tags.isEmpty() ? "" : JSON.writeValueAsString(tags));
      return new Event(ts, value, serviceId, metricName, series, tags.isEmpty() ? null : base);
    } catch (IOException | RuntimeException ex) {
      return null;
    }
  }
}
