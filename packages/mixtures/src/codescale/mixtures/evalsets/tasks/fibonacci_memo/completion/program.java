import java.util.HashMap;
import java.util.Map;

public class FibonacciMemo {
    private static final Map<Integer, Long> MEMO = new HashMap<>(Map.of(0, 0L, 1, 1L));

    /**
     * The n-th Fibonacci number (fibonacci(0) = 0, fibonacci(1) = 1), remembering every value already computed in
     * MEMO so that large n stay fast.
     */
    static long fibonacci(int n) {
// codescale: completion
        Long known = MEMO.get(n);
        if (known != null) {
            return known;
        }
        long value = fibonacci(n - 1) + fibonacci(n - 2);
        MEMO.put(n, value);
        return value;
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(fibonacci(0) == 0L, "fib(0)");
        check(fibonacci(1) == 1L, "fib(1)");
        check(fibonacci(10) == 55L, "fib(10)");
        check(fibonacci(30) == 832040L, "fib(30)");
        check(fibonacci(50) == 12586269025L, "fib(50)");
        check(fibonacci(90) == 2880067194370816120L, "fib(90)");
    }
}
