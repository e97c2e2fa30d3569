/// Placeholder until the layer lands; the owner of this folder replaces it.
enum FractileCachePlaceholder {}
