using System;
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
        /// <summary>The most tags one table holds (far more than a 1 MiB matrix can make).</summary>
        public const int MaxTags = 256 * 1024 * 1024;

        private readonly IReadOnlyList<PythonImage> images;

        // Where each image's tags start in the numbering of all tags: image i's simple tags are first[i] ...,
        // then its shared tags; first[images.Count] is the number of tags.
        private readonly int[] first;

        // Open addressing, linear probing: slots[2k] is the hash code, slots[2k + 1] the tag's number + 1 (0: empty).
        private readonly int[] slots;
        private readonly int capacity;

        /// <summary>
        /// An empty table for the tags of <paramref name="images"/>, at most <see cref="MaxTags"/> (<see cref="CountTags"/>;
        /// the tag arrays must not change while the table is used).
        /// </summary>
        public TagOwnerTable(IReadOnlyList<PythonImage> images)
        {
            this.images = images;
            first = new int[images.Count + 1];
            int count = 0;
            for (int i = 0; i < images.Count; i++)
            {
                first[i] = count;
                count += images[i].Tags.Length + images[i].SharedTags.Length;
            }

            first[images.Count] = count;
            capacity = count + (count / 2) + 1; // at most two thirds full
            slots = new int[2 * capacity];
        }

        /// <summary>The number of tags of <paramref name="images"/>.</summary>
        public static long CountTags(IReadOnlyList<PythonImage> images)
        {
            long count = 0;
            foreach (var image in images)
            {
                count += image.Tags.Length + image.SharedTags.Length;
            }

            return count;
        }

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
            int hash = StringComparer.Ordinal.GetHashCode(tag);
            int slot = (int)(((ulong)(uint)hash * (ulong)capacity) >> 32);
            while (true)
            {
                int stored = slots[(2 * slot) + 1];
                if (stored == 0)
                {
                    slots[2 * slot] = hash;
                    slots[(2 * slot) + 1] = number + 1;
                    return -1;
                }

                if (slots[2 * slot] == hash && string.Equals(TagAt(stored - 1), tag, StringComparison.Ordinal))
                {
                    return stored - 1;
                }

                slot = slot + 1 == capacity ? 0 : slot + 1;
            }
        }

        /// <summary>The index of the image that has tag <paramref name="number"/>.</summary>
        public int ImageOf(int number)
        {
            // The last image whose first tag number is at most number (images without tags share their successor's).
            int lo = 0, hi = images.Count - 1;
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
