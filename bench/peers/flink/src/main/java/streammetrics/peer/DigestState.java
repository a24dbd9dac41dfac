package streammetrics.peer;

import com.tdunning.math.stats.MergingDigest;
import com.tdunning.math.stats.TDigest;
import java.io.IOException;
import java.lang.reflect.Field;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Copies and writes a MergingDigest's exact internal state (merged centroids, the unmerged buffer,
 * the merge counter) without calling compress(). The digest's own encodings compress first, which
 * writes to it: the heap backend's asynchronous snapshot would race the task thread's copy-on-write
 * copy of the same accumulator (that race corrupted digests: NaN percentiles), and interim updates
 * would change the accumulator's merge schedule (see EmitWindow). Tied to t-digest 3.3's field
 * layout (pinned in the pom).
 */
final class DigestState {
  private DigestState() {}

  private static final Field MERGE_COUNT = field(MergingDigest.class, "mergeCount");
  private static final Field LAST_USED_CELL = field(MergingDigest.class, "lastUsedCell");
  private static final Field TOTAL_WEIGHT = field(MergingDigest.class, "totalWeight");
  private static final Field WEIGHT = field(MergingDigest.class, "weight");
  private static final Field MEAN = field(MergingDigest.class, "mean");
  private static final Field UNMERGED_WEIGHT = field(MergingDigest.class, "unmergedWeight");
  private static final Field TEMP_USED = field(MergingDigest.class, "tempUsed");
  private static final Field TEMP_WEIGHT = field(MergingDigest.class, "tempWeight");
  private static final Field TEMP_MEAN = field(MergingDigest.class, "tempMean");
  private static final Field MIN = field(TDigest.class, "min");
  private static final Field MAX = field(TDigest.class, "max");

  private static Field field(Class<?> c, String name) {
    try {
      Field f = c.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException ex) {
      throw new IllegalStateException("t-digest layout changed: " + name, ex);
    }
  }

  static MergingDigest copy(MergingDigest from) {
    try {
      MergingDigest to = new MergingDigest(Slice.COMPRESSION);
      int cells = LAST_USED_CELL.getInt(from);
      int temp = TEMP_USED.getInt(from);
      MERGE_COUNT.setInt(to, MERGE_COUNT.getInt(from));
      LAST_USED_CELL.setInt(to, cells);
      TOTAL_WEIGHT.setDouble(to, TOTAL_WEIGHT.getDouble(from));
      UNMERGED_WEIGHT.setDouble(to, UNMERGED_WEIGHT.getDouble(from));
      TEMP_USED.setInt(to, temp);
      MIN.setDouble(to, MIN.getDouble(from));
      MAX.setDouble(to, MAX.getDouble(from));
      System.arraycopy((double[]) MEAN.get(from), 0, (double[]) MEAN.get(to), 0, cells);
      System.arraycopy((double[]) WEIGHT.get(from), 0, (double[]) WEIGHT.get(to), 0, cells);
      System.arraycopy((double[]) TEMP_MEAN.get(from), 0, (double[]) TEMP_MEAN.get(to), 0, temp);
      System.arraycopy((double[]) TEMP_WEIGHT.get(from), 0, (double[]) TEMP_WEIGHT.get(to), 0, temp);
      return to;
    } catch (IllegalAccessException ex) {
      throw new IllegalStateException(ex);
    }
  }

  static void write(MergingDigest d, DataOutputView out) throws IOException {
    try {
      int cells = LAST_USED_CELL.getInt(d);
      int temp = TEMP_USED.getInt(d);
      double[] mean = (double[]) MEAN.get(d);
      double[] weight = (double[]) WEIGHT.get(d);
      double[] tempMean = (double[]) TEMP_MEAN.get(d);
      double[] tempWeight = (double[]) TEMP_WEIGHT.get(d);
      out.writeInt(MERGE_COUNT.getInt(d));
      out.writeDouble(TOTAL_WEIGHT.getDouble(d));
      out.writeDouble(UNMERGED_WEIGHT.getDouble(d));
      out.writeDouble(MIN.getDouble(d));
      out.writeDouble(MAX.getDouble(d));
      out.writeInt(cells);
      for (int i = 0; i < cells; i++) {
        out.writeDouble(mean[i]);
        out.writeDouble(weight[i]);
      }
      out.writeInt(temp);
      for (int i = 0; i < temp; i++) {
        out.writeDouble(tempMean[i]);
        out.writeDouble(tempWeight[i]);
      }
    } catch (IllegalAccessException ex) {
      throw new IllegalStateException(ex);
    }
  }

  static MergingDigest read(DataInputView in) throws IOException {
    try {
      MergingDigest d = new MergingDigest(Slice.COMPRESSION);
      MERGE_COUNT.setInt(d, in.readInt());
      TOTAL_WEIGHT.setDouble(d, in.readDouble());
      UNMERGED_WEIGHT.setDouble(d, in.readDouble());
      MIN.setDouble(d, in.readDouble());
      MAX.setDouble(d, in.readDouble());
      int cells = in.readInt();
      double[] mean = (double[]) MEAN.get(d);
      double[] weight = (double[]) WEIGHT.get(d);
      for (int i = 0; i < cells; i++) {
        mean[i] = in.readDouble();
        weight[i] = in.readDouble();
      }
      LAST_USED_CELL.setInt(d, cells);
      int temp = in.readInt();
      double[] tempMean = (double[]) TEMP_MEAN.get(d);
      double[] tempWeight = (double[]) TEMP_WEIGHT.get(d);
      for (int i = 0; i < temp; i++) {
        tempMean[i] = in.readDouble();
        tempWeight[i] = in.readDouble();
      }
      TEMP_USED.setInt(d, temp);
      return d;
    } catch (IllegalAccessException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
