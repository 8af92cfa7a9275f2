using System;
using System.Buffers;
using System.Collections.Generic;

namespace PythonImages
{
    /// <summary>
    /// The tags of a list of images, for the load-time tag checks (<see cref="MatrixLoader"/>): which image has a tag first,
    /// and whether as a simple or a shared tag. Built for thousands of images at once, it keeps two ints per slot (the tag's
    /// hash code and where the tag is) instead of a dictionary entry per tag; the tag strings stay in the images' arrays.
    /// </summary>
    internal sealed class TagOwnerTable
    {
        /// <summary>
        /// The most tags a matrix may make (and one table holds). A 1 MiB matrix of distinct versions makes about 80,000;
        /// but the tags of one version are its aliases times its variants, so a small hostile file (a few thousand alias
        /// words and Windows variants) could otherwise make hundreds of millions of them, gigabytes of strings, before any
        /// other check ran. The loader counts them first (TagRules.CountTags) and refuses a matrix past this.
        /// </summary>
        public const int MaxTags = 256 * 1024;

        private readonly IReadOnlyList<PythonImage> images;

        // Where each registered image's tags start in the numbering of all tags: image i's simple tags are first[i] ...,
        // then its shared tags; first[registered] is the number of tags so far.
        private int[] first;
        private int registered;
        private long count;

        // Open addressing, linear probing: slots[2k] is the hash code, slots[2k + 1] the tag's number + 1 (0: empty).
        // At most two thirds full: past that the table doubles (the stored hash codes are moved, no tag is hashed again).
        private int[] slots;
        private int capacity;
        private int used;

        // Equal hash codes of different tags, counted: past MaxSameHash the tags go to a dictionary instead (FindOrAdd).
        private const int MaxSameHash = 64;

        private readonly Func<string, int>? hashOf;
        private int sameHash;
        private Dictionary<string, int>? fallback;

        /// <summary>
        /// An empty table for the images of <paramref name="images"/>, registered one at a time (<see cref="Register"/>) as
        /// the list grows; sized for <paramref name="expectedImages"/> images with <paramref name="expectedTags"/> tags in
        /// all (a hint: it grows past them). <paramref name="hashOf"/> replaces the hash code (tests).
        /// </summary>
        public TagOwnerTable(IReadOnlyList<PythonImage> images, int expectedImages, int expectedTags, Func<string, int>? hashOf = null)
        {
            this.images = images;
            this.hashOf = hashOf;
            // Both arrays come from the shared pool and go back to it in Release: a large matrix's table is a few hundred
            // kilobytes that live only while its tags are checked, and a session loads matrices again and again.
            first = Rent(Math.Max(expectedImages, 0) + 1);
            first[0] = 0; // a pooled array is not cleared; the entries past registered are written before they are read
            capacity = SlotsFor(Math.Max(expectedTags, 0));
            slots = Rent(2 * capacity);
            Array.Clear(slots, 0, 2 * capacity);
        }

        /// <summary>
        /// A table of all of <paramref name="images"/> (the tag arrays must not change while it is used), or null when they
        /// have more than <see cref="MaxTags"/> tags. <paramref name="hashOf"/> replaces the hash code (tests).
        /// </summary>
        public static TagOwnerTable? Create(IReadOnlyList<PythonImage> images, Func<string, int>? hashOf = null)
        {
            long tags = 0;
            for (int i = 0; i < images.Count && tags <= MaxTags; i++)
            {
                tags += images[i].Tags.Length + images[i].SharedTags.Length;
            }

            if (tags > MaxTags)
            {
                return null;
            }

            var table = new TagOwnerTable(images, images.Count, (int)tags, hashOf);
            while (table.registered < images.Count)
            {
                table.Register();
            }

            return table;
        }

        /// <summary>
        /// Numbers the tags of the next image of the list after those of the images before it (its tag arrays must not
        /// change from now on); false once the images registered have more than <see cref="MaxTags"/> tags in all.
        /// </summary>
        public bool Register()
        {
            var image = images[registered];
            count += image.Tags.Length + image.SharedTags.Length;
            if (count > MaxTags)
            {
                return false;
            }

            if (registered + 1 == first.Length)
            {
                var larger = Rent(2 * first.Length);
                Array.Copy(first, larger, registered + 1);
                Return(first);
                first = larger;
            }

            first[++registered] = (int)count;
            return true;
        }

        private static int SlotsFor(int tags) => tags + (tags / 2) + 1;

        /// <summary>True once so many different tags shared a hash code that the table moved them into a dictionary.</summary>
        public bool UsesDictionary => fallback != null;

        /// <summary>The number of <paramref name="image"/>'s simple tag <paramref name="position"/>.</summary>
        public int SimpleTag(int image, int position) => first[image] + position;

        /// <summary>The number of <paramref name="image"/>'s shared tag <paramref name="position"/>.</summary>
        public int SharedTag(int image, int position) => first[image] + images[image].Tags.Length + position;

        /// <summary>
        /// The number of the tag equal to <paramref name="tag"/> that is in the table, or -1 after adding
        /// <paramref name="tag"/> as tag number <paramref name="number"/>.
        /// </summary>
        public int FindOrAdd(string tag, int number)
        {
            if (fallback != null)
            {
                return FindOrAddInDictionary(tag, number);
            }

            if (3 * (used + 1) > 2 * capacity)
            {
                Grow();
            }

            int hash = hashOf == null ? tag.GetHashCode() : hashOf(tag);
            int slot = (int)(((ulong)(uint)hash * (ulong)capacity) >> 32);
            while (true)
            {
                int stored = slots[(2 * slot) + 1];
                if (stored == 0)
                {
                    slots[2 * slot] = hash;
                    slots[(2 * slot) + 1] = number + 1;
                    used++;
                    return -1;
                }

                if (slots[2 * slot] == hash)
                {
                    if (string.Equals(TagAt(stored - 1), tag, StringComparison.Ordinal))
                    {
                        return stored - 1;
                    }

                    // Different tags with one hash code: rare by chance, common only in a matrix made to collide (string
                    // hash codes are not randomized on .NET Framework). Then a dictionary takes over, which randomizes its
                    // string hashing under such collisions, so the probing here never turns quadratic.
                    if (++sameHash > MaxSameHash)
                    {
                        MoveToDictionary();
                        return FindOrAddInDictionary(tag, number);
                    }
                }

                slot = slot + 1 == capacity ? 0 : slot + 1;
            }
        }

        private void Grow()
        {
            var old = slots;
            int oldCapacity = capacity;
            capacity = SlotsFor(2 * Math.Max(used, 4));
            slots = Rent(2 * capacity);
            Array.Clear(slots, 0, 2 * capacity);
            for (int k = 0; k < oldCapacity; k++)
            {
                int stored = old[(2 * k) + 1];
                if (stored != 0)
                {
                    int hash = old[2 * k];
                    int slot = (int)(((ulong)(uint)hash * (ulong)capacity) >> 32);
                    while (slots[(2 * slot) + 1] != 0)
                    {
                        slot = slot + 1 == capacity ? 0 : slot + 1;
                    }

                    slots[2 * slot] = hash;
                    slots[(2 * slot) + 1] = stored;
                }
            }

            Return(old);
        }

        /// <summary>Gives the table's arrays back to the pool; the table is not used again.</summary>
        public void Release()
        {
            Return(slots);
            Return(first);
            slots = Array.Empty<int>();
            first = Array.Empty<int>();
            capacity = 0;
        }

        private static int[] Rent(int length) => ArrayPool<int>.Shared.Rent(Math.Max(length, 1));

        private static void Return(int[] array)
        {
            if (array.Length > 0)
            {
                ArrayPool<int>.Shared.Return(array);
            }
        }

        private void MoveToDictionary()
        {
            var d = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int slot = 0; slot < capacity; slot++)
            {
                int stored = slots[(2 * slot) + 1];
                if (stored != 0)
                {
                    d[TagAt(stored - 1)] = stored - 1;
                }
            }

            fallback = d;
        }

        private int FindOrAddInDictionary(string tag, int number)
        {
            if (fallback!.TryGetValue(tag, out int found))
            {
                return found;
            }

            fallback[tag] = number;
            return -1;
        }

        /// <summary>The index of the image that has tag <paramref name="number"/>.</summary>
        public int ImageOf(int number)
        {
            // The last image whose first tag number is at most number (images without tags share their successor's).
            int lo = 0, hi = registered - 1;
            while (lo < hi)
            {
                int mid = lo + ((hi - lo + 1) / 2);
                if (first[mid] <= number)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return lo;
        }

        /// <summary>True when tag <paramref name="number"/> is a shared tag of its image.</summary>
        public bool IsShared(int number)
        {
            int image = ImageOf(number);
            return number - first[image] >= images[image].Tags.Length;
        }

        private string TagAt(int number)
        {
            int image = ImageOf(number);
            int position = number - first[image];
            var tags = images[image].Tags;
            return position < tags.Length ? tags[position] : images[image].SharedTags[position - tags.Length];
        }
    }
}
