package streammetrics.peer;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Checkpoint form of the accumulator: Slice's compact bytes (count, sum, min, max, the digest's
 * small encoding), length-prefixed. Without it Flink would fall back to Kryo for MergingDigest, which
 * is slower and writes the digest's whole internal buffers.
 */
final class SliceSerializer extends TypeSerializerSingleton<Slice> {
  static final SliceSerializer INSTANCE = new SliceSerializer();

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public Slice createInstance() {
    return new Slice();
  }

  @Override
  public Slice copy(Slice from) {
    return Slice.fromBytes(from.toBytes());
  }

  @Override
  public Slice copy(Slice from, Slice reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(Slice record, DataOutputView target) throws IOException {
    byte[] bytes = record.toBytes();
    target.writeInt(bytes.length);
    target.write(bytes);
  }

  @Override
  public Slice deserialize(DataInputView source) throws IOException {
    byte[] bytes = new byte[source.readInt()];
    source.readFully(bytes);
    return Slice.fromBytes(bytes);
  }

  @Override
  public Slice deserialize(Slice reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int length = source.readInt();
    target.writeInt(length);
    target.write(source, length);
  }

  @Override
  public TypeSerializerSnapshot<Slice> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Restores the singleton (the format has no parameters). */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<Slice> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
