package org.kerasport.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The spark-submit entry point: {@code kerasport finetune} with the arguments given, on the master spark-submit
 * chose ({@code --master}; an explicit {@code --spark MASTER} among the arguments wins):
 * <pre>
 *   spark-submit --master local[2] --class org.kerasport.spark.SparkMain target/kerasport.jar \
 *       models/seed_mlp.keras --data models/seed_mlp_train.npz --epochs 2 -o tuned.keras
 * </pre>
 */
public final class SparkMain {
    private SparkMain() {
    }

    public static void main(String[] args) {
        List<String> a = new ArrayList<>(List.of("finetune"));
        a.addAll(Arrays.asList(args));
        if (!a.contains("--spark")) {
            a.add("--spark");
            a.add(new org.apache.spark.SparkConf().get("spark.master", "local[*]"));
        }
        org.kerasport.cli.Main.main(a.toArray(new String[0]));
    }
}
