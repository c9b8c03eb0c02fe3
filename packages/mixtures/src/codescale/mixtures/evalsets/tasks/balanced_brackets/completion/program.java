import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

public class BalancedBrackets {
    private static final Map<Character, Character> PAIRS = Map.of(')', '(', ']', '[', '}', '{');

    /** True when every bracket of (), [] and {} in text is closed in the right order; other characters are ignored. */
    static boolean isBalanced(String text) {
// codescale: completion
        Deque<Character> stack = new ArrayDeque<>();
        for (char c : text.toCharArray()) {
            if (c == '(' || c == '[' || c == '{') {
                stack.push(c);
            } else if (PAIRS.containsKey(c)) {
                if (stack.isEmpty() || !PAIRS.get(c).equals(stack.pop())) {
                    return false;
                }
            }
        }
        return stack.isEmpty();
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(isBalanced("([]{})"), "([]{})");
        check(!isBalanced("([)]"), "([)]");
        check(!isBalanced("(("), "((");
        check(isBalanced("{[()()]}"), "{[()()]}");
        check(!isBalanced("a(b)c]"), "a(b)c]");
        check(isBalanced(""), "empty");
    }
}
