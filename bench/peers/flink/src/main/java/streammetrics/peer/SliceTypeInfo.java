package streammetrics.peer;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Tells Flink to keep the accumulator with SliceSerializer instead of Kryo. */
final class SliceTypeInfo extends TypeInformation<Slice> {
  static final SliceTypeInfo INSTANCE = new SliceTypeInfo();

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<Slice> getTypeClass() {
    return Slice.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<Slice> createSerializer(SerializerConfig config) {
    return SliceSerializer.INSTANCE;
  }

  @Override
  public String toString() {
    return "Slice";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SliceTypeInfo;
  }

  @Override
  public int hashCode() {
    return SliceTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof SliceTypeInfo;
  }
}
