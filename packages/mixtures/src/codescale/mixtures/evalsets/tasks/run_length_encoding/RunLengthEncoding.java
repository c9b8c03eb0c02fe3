public class RunLengthEncoding {
    static String encode(String text) {
        StringBuilder encoded = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char current = text.charAt(i);
            int runEnd = i;
            while (runEnd < text.length() && text.charAt(runEnd) == current) {
                runEnd++;
            }
            encoded.append(runEnd - i).append(current);
            i = runEnd;
        }
        return encoded.toString();
    }

    static String decode(String encoded) {
        StringBuilder decoded = new StringBuilder();
        int count = 0;
        for (char c : encoded.toCharArray()) {
            if (Character.isDigit(c)) {
                count = count * 10 + (c - '0');
            } else {
                decoded.append(String.valueOf(c).repeat(count));
                count = 0;
            }
        }
        return decoded.toString();
    }

    public static void main(String[] args) {
        for (String text : new String[] {"aaabccdddd", "wwwwwwwwwwwwb", "xyz"}) {
            String packed = encode(text);
            System.out.println(text + " -> " + packed + " -> " + decode(packed));
        }
    }
}
