// The consumer of the OpenLineage tests: reads events (one JSON document per line on stdin) with the official
// OpenLineage Java client's own model (OpenLineageClientUtils.runEventFromJson: typed run ids, times, event
// types and facets) and prints, per event, one JSON line of what it understood, for the test to compare.
// Run with: java -cp '.cache/openlineage-java/jars/*' Reader.java < logs/openlineage.jsonl
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClientUtils;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class Reader {
  static Map<String, Object> dataset(OpenLineage.Dataset d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("namespace", d.getNamespace());
    out.put("name", d.getName());
    OpenLineage.DatasetFacets f = d.getFacets();
    if (f != null && f.getSchema() != null) {
      List<String> fields = new ArrayList<>();
      f.getSchema().getFields().forEach(x -> fields.add(x.getName()));
      out.put("schema", fields);
    }
    if (f != null && f.getColumnLineage() != null) {
      Map<String, List<String>> columns = new LinkedHashMap<>();
      f.getColumnLineage().getFields().getAdditionalProperties().forEach((name, field) -> {
        List<String> from = new ArrayList<>();
        field.getInputFields().forEach(i -> from.add(i.getName() + "." + i.getField()));
        columns.put(name, from);
      });
      out.put("columnLineage", columns);
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      OpenLineage.RunEvent event = OpenLineageClientUtils.runEventFromJson(line);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("eventType", event.getEventType().name());
      out.put("eventTime", event.getEventTime().toInstant().toString());
      out.put("job", event.getJob().getNamespace() + "/" + event.getJob().getName());
      out.put("runId", event.getRun().getRunId().toString());
      OpenLineage.RunFacets facets = event.getRun().getFacets();
      if (facets != null && facets.getParent() != null)
        out.put("parentRunId", facets.getParent().getRun().getRunId().toString());
      if (facets != null && facets.getErrorMessage() != null) out.put("error", facets.getErrorMessage().getMessage());
      List<Object> inputs = new ArrayList<>();
      for (OpenLineage.InputDataset d : event.getInputs()) {
        Map<String, Object> x = dataset(d);
        if (d.getInputFacets() != null && d.getInputFacets().getDataQualityAssertions() != null) {
          List<String> checks = new ArrayList<>();
          d.getInputFacets().getDataQualityAssertions().getAssertions().forEach(a -> checks.add(a.getAssertion() + "=" + a.getSuccess()));
          x.put("assertions", checks);
        }
        inputs.add(x);
      }
      List<Object> outputs = new ArrayList<>();
      for (OpenLineage.OutputDataset d : event.getOutputs()) {
        Map<String, Object> x = dataset(d);
        if (d.getOutputFacets() != null && d.getOutputFacets().getOutputStatistics() != null)
          x.put("rowCount", d.getOutputFacets().getOutputStatistics().getRowCount());
        outputs.add(x);
      }
      out.put("inputs", inputs);
      out.put("outputs", outputs);
      System.out.println(OpenLineageClientUtils.toJson(out));
    }
  }
}
