import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

public class TwoSum {
    /** Indices i < j with numbers[i] + numbers[j] == target, found in one pass with a hash map. */
    static Optional<int[]> twoSum(int[] numbers, int target) {
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = 0; i < numbers.length; i++) {
            Integer partner = seen.get(target - numbers[i]);
            if (partner != null) {
                return Optional.of(new int[] {partner, i});
            }
            seen.put(numbers[i], i);
        }
        return Optional.empty();
    }

    public static void main(String[] args) {
        int[][] inputs = {{2, 7, 11, 15}, {3, 2, 4}, {1, 2, 3}};
        int[] targets = {9, 6, 7};
        for (int k = 0; k < inputs.length; k++) {
            String answer = twoSum(inputs[k], targets[k]).map(p -> p[0] + " " + p[1]).orElse("none");
            System.out.println("target " + targets[k] + ": " + answer);
        }
    }
}
